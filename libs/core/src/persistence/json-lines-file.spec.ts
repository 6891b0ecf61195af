import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendLine } from './json-lines-file';

describe('appendLine', () => {
  let folder: string;
  beforeEach(() => (folder = fs.mkdtempSync(path.join(os.tmpdir(), 'append-line-'))));
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('creates a missing folder (and the file, readable by its owner only) on the first line', async () => {
    const filePath = path.join(folder, 'removed', 'since', 'ledger.jsonl');
    await appendLine(filePath, '{"a":1}\n');
    expect(fs.readFileSync(filePath, 'utf8')).toBe('{"a":1}\n');
    expect(fs.statSync(filePath).mode & 0o777).toBe(0o600);
  });

  it('appends after what the file holds, and recreates a folder removed between two lines', async () => {
    const filePath = path.join(folder, 'jobs', 'generation-jobs.jsonl');
    await appendLine(filePath, 'one\n');
    await appendLine(filePath, 'two\n');
    expect(fs.readFileSync(filePath, 'utf8')).toBe('one\ntwo\n');
    fs.rmSync(path.dirname(filePath), { recursive: true });
    await appendLine(filePath, 'three\n');
    expect(fs.readFileSync(filePath, 'utf8')).toBe('three\n');
  });

  it('passes on failures other than a missing folder', async () => {
    const blocker = path.join(folder, 'a-file');
    fs.writeFileSync(blocker, '');
    await expect(appendLine(path.join(blocker, 'ledger.jsonl'), 'x\n')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

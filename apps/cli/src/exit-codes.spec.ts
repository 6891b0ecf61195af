import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeExitCodes, exitCodeDescriptions, exitCodeForErrorCode, exitCodes } from './exit-codes';

describe('exit codes', () => {
  it('maps each failure a user can act on to its documented code', () => {
    expect(exitCodeForErrorCode('content_blocked')).toBe(3);
    expect(exitCodeForErrorCode('upstream_unavailable')).toBe(4);
    expect(exitCodeForErrorCode('rate_limited')).toBe(4);
    expect(exitCodeForErrorCode('budget_exceeded')).toBe(5);
    expect(exitCodeForErrorCode('not_found')).toBe(6);
    expect(exitCodeForErrorCode('model_retired')).toBe(7);
    expect(exitCodeForErrorCode('storage_failed')).toBe(8);
    expect(exitCodeForErrorCode('authentication_failed')).toBe(9);
    expect(exitCodeForErrorCode('invalid_config')).toBe(78);
    expect(exitCodeForErrorCode('provider_not_configured')).toBe(78);
    expect(exitCodeForErrorCode('cancelled')).toBe(130);
    expect(exitCodeForErrorCode('a_code_from_a_newer_library')).toBe(1);
  });

  it('documents every code exactly once', () => {
    const documented = exitCodeDescriptions.map(([code]) => code);
    expect([...documented].sort((a, b) => a - b)).toEqual([...new Set(Object.values(exitCodes))].sort((a, b) => a - b));
  });

  it('lists the same codes in the README as in `imagegen --help`', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Exit codes'));
    for (const [code, text] of exitCodeDescriptions) expect(table).toContain(`| ${code} | ${text} |`);
    expect(describeExitCodes().split('\n')).toHaveLength(exitCodeDescriptions.length);
  });
});

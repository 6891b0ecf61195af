import { Writable } from 'node:stream';
import { keyValueOption, integerOption } from './arguments';
import { colorEnabled, formatBytes, Output, table } from './output';
import { canAnimate, startActivity } from './spinner';
import { viewerCommand } from './open-file';

function stream(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  let text = '';
  const writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  return Object.assign(writable, { isTTY, text: () => text }) as unknown as NodeJS.WriteStream & { text: () => string };
}

describe('output', () => {
  it('colours a terminal unless NO_COLOR is set, and a pipe only with FORCE_COLOR', () => {
    expect(colorEnabled(stream(true), {})).toBe(true);
    expect(colorEnabled(stream(true), { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(stream(true), { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled(stream(false), {})).toBe(false);
    expect(colorEnabled(stream(false), { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled(stream(false), { FORCE_COLOR: '0' })).toBe(false);
  });

  it('writes one JSON document on stdout in --json mode and keeps notes off stdout', () => {
    const streams = { stdout: stream(false), stderr: stream(false), env: {} };
    const output = new Output(streams, { json: true });
    output.note('working');
    output.result({ a: 1 }, () => 'human');
    expect(JSON.parse(streams.stdout.text())).toEqual({ a: 1 });
    expect(streams.stderr.text()).toBe('');
  });

  it('writes the error document only when no result was written', () => {
    const streams = { stdout: stream(false), stderr: stream(false), env: {} };
    const output = new Output(streams, { json: true });
    output.failure('it broke', { code: 'internal' });
    expect(JSON.parse(streams.stdout.text())).toEqual({ error: { code: 'internal' } });
    expect(streams.stderr.text()).toBe('imagegen: it broke\n');
  });

  it('prints progress as timestamped lines when stderr is not a terminal, and nothing with --json', () => {
    const plain = { stdout: stream(false), stderr: stream(false), env: {} };
    let now = 0;
    const activity = startActivity(new Output(plain, { json: false }), 'Generating…', () => now);
    now = 1500;
    activity.update('Asking the model.');
    activity.update('Asking the model.');
    activity.note('partial image 1 received');
    activity.succeed('Done');
    expect(plain.stderr.text()).toBe('[1.5s] Asking the model.\npartial image 1 received\nDone (1.5s)\n');
    expect(canAnimate(new Output(plain, { json: false }))).toBe(false);
    expect(canAnimate(new Output({ stdout: stream(true), stderr: stream(true), env: { CI: 'true' } }, { json: false }))).toBe(false);
    expect(canAnimate(new Output({ stdout: stream(true), stderr: stream(true), env: {} }, { json: true }))).toBe(false);
    expect(canAnimate(new Output({ stdout: stream(true), stderr: stream(true), env: {} }, { json: false }))).toBe(true);
  });

  it('formats sizes and aligns columns', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2.5 * 1024 * 1024)).toBe('2.5 MB');
    expect(
      table([
        ['a', 'bb', 'c'],
        ['ccc', 'd', 'e'],
      ]),
    ).toBe('a    bb  c\nccc  d   e');
  });
});

describe('arguments', () => {
  it('parses repeatable key=value pairs, keeping = in values', () => {
    expect(keyValueOption('b=x=y', keyValueOption('a=1', undefined))).toEqual({ a: '1', b: 'x=y' });
    expect(() => keyValueOption('novalue', undefined)).toThrow(/KEY=VALUE/);
  });

  it('accepts whole numbers within bounds only', () => {
    const parse = integerOption('--n', 1, 10);
    expect(parse('3')).toBe(3);
    for (const bad of ['0', '11', '2.5', 'two', '']) expect(() => parse(bad)).toThrow(/--n must be a whole number from 1 to 10/);
  });
});

describe('platform viewer', () => {
  it('uses xdg-open on Linux, open on macOS and start on Windows', () => {
    expect(viewerCommand('/tmp/a.png', 'linux')).toEqual({ command: 'xdg-open', args: ['/tmp/a.png'] });
    expect(viewerCommand('/tmp/a.png', 'darwin')).toEqual({ command: 'open', args: ['/tmp/a.png'] });
    expect(viewerCommand('C:\\a.png', 'win32')).toEqual({ command: 'cmd', args: ['/c', 'start', '""', '"C:\\a.png"'] });
  });
});

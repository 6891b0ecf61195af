import { parseConfigArguments } from './config-arguments';

describe('parseConfigArguments', () => {
  it('takes out --config, --env-file and repeated --set in both forms and keeps the rest in order', () => {
    const parsed = parseConfigArguments([
      'serve',
      '--config',
      './imagegen.json',
      '--port',
      '8080',
      '--set',
      'STORAGE__BASE_PATH=/data/a=b',
      '--env-file=.env.local',
      '--set=server.log_level=debug',
      '--verbose',
    ]);
    expect(parsed).toEqual({
      configPath: './imagegen.json',
      envFilePath: '.env.local',
      settings: [
        { key: 'STORAGE__BASE_PATH', value: '/data/a=b' },
        { key: 'server.log_level', value: 'debug' },
      ],
      problems: [],
      remaining: ['serve', '--port', '8080', '--verbose'],
    });
  });

  it('lets the last --config win', () => {
    expect(parseConfigArguments(['--config', 'a.json', '--config=b.json']).configPath).toBe('b.json');
  });

  it.each(['constructor', 'toString', '__proto__'])('passes the word %s through as an ordinary argument', (word) => {
    expect(parseConfigArguments(['generate', word, 'next'])).toMatchObject({ remaining: ['generate', word, 'next'], problems: [] });
  });

  it('leaves everything after -- untouched', () => {
    const parsed = parseConfigArguments(['--set', 'A__B=1', '--', '--config', 'x.json']);
    expect(parsed.configPath).toBeUndefined();
    expect(parsed.remaining).toEqual(['--', '--config', 'x.json']);
  });

  it('reports a missing value or a --set without = and never quotes the argument', () => {
    const parsed = parseConfigArguments(['--set', 'sk-secret-value', '--config', '--verbose', '--env-file=']);
    expect(parsed.problems).toEqual([
      { argument: '--set', message: '--set needs KEY=VALUE, e.g. --set STORAGE__BASE_PATH=/data/images' },
      { argument: '--config', message: '--config needs a value' },
      { argument: '--env-file', message: '--env-file needs a value' },
    ]);
    expect(JSON.stringify(parsed.problems)).not.toContain('sk-secret');
    expect(parsed.remaining).toEqual(['--verbose']);
  });

  it('does not take options that merely start with the same letters', () => {
    expect(parseConfigArguments(['--configure', '--settings=x', '--set-x']).remaining).toEqual(['--configure', '--settings=x', '--set-x']);
  });
});

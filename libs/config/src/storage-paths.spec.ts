import { defaultDataDirectory, resolveSettingPath } from './storage-paths';
import { loadTestConfig } from './test-support/load-test-config';

describe('the default storage folder is the per-user data folder of the injected platform', () => {
  it.each([
    ['Linux with XDG_DATA_HOME', 'linux', '/home/ada', { XDG_DATA_HOME: '/data/ada' }, '/data/ada/imagegen-mcp'],
    ['Linux without XDG_DATA_HOME', 'linux', '/home/ada', {}, '/home/ada/.local/share/imagegen-mcp'],
    [
      'Linux with a relative XDG_DATA_HOME (ignored, as the XDG spec says)',
      'linux',
      '/home/ada',
      { XDG_DATA_HOME: 'data' },
      '/home/ada/.local/share/imagegen-mcp',
    ],
    ['FreeBSD', 'freebsd', '/usr/home/ada', {}, '/usr/home/ada/.local/share/imagegen-mcp'],
    ['macOS', 'darwin', '/Users/ada', { XDG_DATA_HOME: '/ignored' }, '/Users/ada/Library/Application Support/imagegen-mcp'],
    ['Windows with LOCALAPPDATA', 'win32', 'C:\\Users\\ada', { LOCALAPPDATA: 'D:\\Local' }, 'D:\\Local\\imagegen-mcp'],
    ['Windows without LOCALAPPDATA', 'win32', 'C:\\Users\\ada', {}, 'C:\\Users\\ada\\AppData\\Local\\imagegen-mcp'],
  ] as const)('%s', (_name, platform, homeDirectory, env, expected) => {
    expect(defaultDataDirectory({ platform, homeDirectory, env })).toBe(expected);
    const loaded = loadTestConfig({ platform, homeDirectory, env, cwd: platform === 'win32' ? 'C:\\work' : '/work' });
    expect(loaded.config.storage.base_path).toBe(expected);
    expect(loaded.sources['storage.base_path']).toBe('default');
  });
});

describe('path settings', () => {
  const configFile = '/etc/imagegen/config.json';

  it('resolves a relative base_path from the config file against the config file folder', () => {
    const loaded = loadTestConfig({
      files: {
        [configFile]: JSON.stringify({
          storage: { base_path: './images' },
          templates: { directory: '../templates' },
          server: { allowed_folders: ['inbox', '/srv/shared'] },
        }),
      },
      env: { IMAGEGEN_CONFIG: configFile },
    });
    expect(loaded.config.storage.base_path).toBe('/etc/imagegen/images');
    expect(loaded.config.templates.directory).toBe('/etc/templates');
    expect(loaded.config.server.allowed_folders).toEqual(['/etc/imagegen/inbox', '/srv/shared']);
  });

  it('resolves relative paths from the environment, .env and --set against the working directory', () => {
    const loaded = loadTestConfig({
      files: { [configFile]: '{}', '/work/project/.env': 'TEMPLATES__DIRECTORY=templates\n' },
      env: { IMAGEGEN_CONFIG: configFile, STORAGE__BASE_PATH: 'images', SERVER__ALLOWED_FOLDERS: 'a,../b' },
    });
    expect(loaded.config.storage.base_path).toBe('/work/project/images');
    expect(loaded.config.templates.directory).toBe('/work/project/templates');
    expect(loaded.config.server.allowed_folders).toEqual(['/work/project/a', '/work/b']);
    const fromFlag = loadTestConfig({ argv: ['--set', 'storage.base_path=out'] });
    expect(fromFlag.config.storage.base_path).toBe('/work/project/out');
  });

  it('expands ~ and ~/ to the home folder and keeps absolute paths', () => {
    expect(loadTestConfig({ env: { STORAGE__BASE_PATH: '~/Pictures/ai' } }).config.storage.base_path).toBe('/home/ada/Pictures/ai');
    expect(loadTestConfig({ env: { STORAGE__BASE_PATH: '~' } }).config.storage.base_path).toBe('/home/ada');
    const fromFile = loadTestConfig({
      files: { [configFile]: JSON.stringify({ storage: { base_path: '~/imagegen' } }) },
      env: { IMAGEGEN_CONFIG: configFile },
    });
    expect(fromFile.config.storage.base_path).toBe('/home/ada/imagegen');
    expect(loadTestConfig({ env: { STORAGE__BASE_PATH: '/srv/images/' } }).config.storage.base_path).toBe('/srv/images');
  });

  it('treats ~name and a backslash after ~ as ordinary relative names on POSIX', () => {
    const context = { platform: 'linux' as const, homeDirectory: '/home/ada', baseDirectory: '/work' };
    expect(resolveSettingPath('~bob/x', context)).toBe('/work/~bob/x');
    expect(resolveSettingPath('~\\x', context)).toBe('/work/~\\x');
  });

  it('resolves Windows paths with Windows rules', () => {
    const context = { platform: 'win32' as const, homeDirectory: 'C:\\Users\\ada', baseDirectory: 'C:\\work' };
    expect(resolveSettingPath('~\\Pictures', context)).toBe('C:\\Users\\ada\\Pictures');
    expect(resolveSettingPath('images', context)).toBe('C:\\work\\images');
    expect(resolveSettingPath('D:\\images', context)).toBe('D:\\images');
  });
});

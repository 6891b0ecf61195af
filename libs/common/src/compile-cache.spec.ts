import { userCacheFolder } from './compile-cache';

describe('userCacheFolder', () => {
  it('follows XDG on Linux, falling back to ~/.cache when XDG_CACHE_HOME is unset or relative', () => {
    expect(userCacheFolder({ env: { XDG_CACHE_HOME: '/var/cache/me' }, platform: 'linux', homeDirectory: '/home/me' }, 'imagegen')).toBe(
      '/var/cache/me/imagegen',
    );
    expect(userCacheFolder({ env: {}, platform: 'linux', homeDirectory: '/home/me' }, 'imagegen')).toBe('/home/me/.cache/imagegen');
    expect(userCacheFolder({ env: { XDG_CACHE_HOME: 'relative' }, platform: 'linux', homeDirectory: '/home/me' }, 'imagegen')).toBe(
      '/home/me/.cache/imagegen',
    );
  });

  it('uses ~/Library/Caches on macOS and %LOCALAPPDATA% on Windows', () => {
    expect(userCacheFolder({ env: { XDG_CACHE_HOME: '/x' }, platform: 'darwin', homeDirectory: '/Users/me' }, 'imagegen')).toBe(
      '/Users/me/Library/Caches/imagegen',
    );
    expect(
      userCacheFolder(
        { env: { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, platform: 'win32', homeDirectory: 'C:\\Users\\me' },
        'imagegen',
      ),
    ).toBe('C:\\Users\\me\\AppData\\Local\\imagegen\\Cache');
    expect(userCacheFolder({ env: {}, platform: 'win32', homeDirectory: 'C:\\Users\\me' }, 'imagegen')).toBe(
      'C:\\Users\\me\\AppData\\Local\\imagegen\\Cache',
    );
  });
});

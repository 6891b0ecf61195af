import { lazyModule } from './lazy-module';

describe('lazyModule', () => {
  it('imports once, on first use, and reports the module only after it has loaded', async () => {
    let imports = 0;
    const lazy = lazyModule(async () => {
      imports += 1;
      return { name: 'heavy' };
    });
    expect(imports).toBe(0);
    expect(lazy.loaded()).toBeUndefined();
    const [first, second] = await Promise.all([lazy.load(), lazy.load()]);
    expect(first).toBe(second);
    expect(imports).toBe(1);
    expect(lazy.loaded()).toBe(first);
  });
});

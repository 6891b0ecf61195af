import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtInTemplates } from './built-in-templates';
import { loadTemplateRegistry } from './load-template-registry';

describe('loadTemplateRegistry', () => {
  let folder: string;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-templates-'));
    fs.writeFileSync(
      path.join(folder, 'sticker.json'),
      JSON.stringify({
        name: 'sticker',
        description: 'A die-cut sticker',
        template: 'A die-cut sticker of {subject}',
        arguments: { required: ['subject'], optional: [] },
        metadata: { recommended_size: '1024x1024' },
      }),
    );
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('offers the custom templates of the folder next to the built-in ones when custom templates are on', async () => {
    const registry = await loadTemplateRegistry({ enableCustom: true, directory: folder });
    expect(registry.get('sticker')).toBeDefined();
    expect(registry.list()).toHaveLength(builtInTemplates.length + 1);
  });

  it('offers only the built-in templates when custom templates are off or no folder is set', async () => {
    expect((await loadTemplateRegistry({ enableCustom: false, directory: folder })).get('sticker')).toBeUndefined();
    expect((await loadTemplateRegistry({ enableCustom: true })).list()).toHaveLength(builtInTemplates.length);
  });
});

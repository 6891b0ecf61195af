import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCustomTemplates } from './custom-templates';
import { createTemplateRegistry } from './template-registry';

function folderWith(files: Record<string, unknown>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-'));
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(folder, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return folder;
}

const podcastCover = {
  name: 'podcast-cover',
  description: 'Square podcast cover art',
  arguments: { required: ['show'], optional: ['mood'] },
  template: 'Podcast cover art for {show}, {mood} mood.',
  metadata: { recommended_size: '3000x3000', quality: 'high' },
};

describe('loadCustomTemplates', () => {
  it('loads templates from a folder and serves them next to the built-in ones', async () => {
    const folder = folderWith({ 'podcast.json': podcastCover, 'notes.txt': 'ignored' });
    const registry = createTemplateRegistry({ customTemplates: await loadCustomTemplates(folder) });
    expect(registry.render('podcast-cover', { show: 'Night Shift', mood: 'calm' })).toMatchObject({
      prompt: 'Podcast cover art for Night Shift, calm mood.',
      recommendedSize: '3000x3000',
      aspectRatio: '1:1',
      recommendedQuality: 'high',
    });
    expect(registry.render('podcast-cover', { show: 'Night Shift' }).prompt).toBe('Podcast cover art for Night Shift, mood.');
  });

  it("renders arguments named like Object.prototype members from the caller's values only", async () => {
    const folder = folderWith({
      'probe.json': {
        name: 'probe',
        description: 'Arguments with inherited names',
        arguments: { required: ['subject'], optional: ['constructor', 'valueof'] },
        template: 'A {subject} {constructor} {valueof}.',
      },
    });
    const registry = createTemplateRegistry({ customTemplates: await loadCustomTemplates(folder) });
    expect(registry.render('probe', { subject: 'kite' }).prompt).toBe('A kite.');
    expect(registry.render('probe', { subject: 'kite', constructor: 'red' }).prompt).toBe('A kite red.');
    // A caller's own "__proto__" key is not an argument of the template, and says so.
    expect(() => registry.render('probe', JSON.parse('{"subject": "kite", "__proto__": {"constructor": "x"}}'))).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: expect.objectContaining({ setting: '__proto__' }) }),
    );
  });

  it('reports every problem with its file and field', async () => {
    const folder = folderWith({
      'bad-json.json': '{ nope',
      'bad-name.json': { ...podcastCover, name: 'Bad Name' },
      'undeclared.json': { ...podcastCover, name: 'undeclared', template: 'Art for {show} and {guest}' },
      'bad-size.json': { ...podcastCover, name: 'bad-size', metadata: { recommended_size: 'large' } },
    });
    const failure = loadCustomTemplates(folder);
    await expect(failure).rejects.toMatchObject({ code: 'invalid_config' });
    const message = await failure.catch((error: Error) => error.message);
    expect(message).toContain('bad-json.json: not valid JSON');
    expect(message).toContain('bad-name.json: name');
    expect(message).toContain('undeclared.json: template: placeholder {guest}');
    expect(message).toContain('bad-size.json: metadata.recommended_size');
  });

  it('refuses a custom template that would replace a built-in one', async () => {
    const folder = folderWith({ 'og.json': { ...podcastCover, name: 'og-image-prompt' } });
    const templates = await loadCustomTemplates(folder);
    expect(() => createTemplateRegistry({ customTemplates: templates })).toThrow(/built-in/);
  });

  it('names the setting when the folder cannot be read', async () => {
    await expect(loadCustomTemplates(path.join(os.tmpdir(), 'no-such-folder-imagegen'))).rejects.toThrow(/TEMPLATES__DIRECTORY/);
  });
});

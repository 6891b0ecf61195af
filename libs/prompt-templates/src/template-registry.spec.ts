import { builtInTemplates } from './built-in-templates';
import { createTemplateRegistry } from './template-registry';

const registry = createTemplateRegistry();

const requiredOnly: Record<string, Record<string, string>> = {
  'creative-image-prompt': { subject: 'a fox' },
  'product-image-prompt': { product: 'a ceramic mug' },
  'artistic-style-prompt': { subject: 'a harbour' },
  'og-image-prompt': { title: 'Ship faster' },
  'blog-header-prompt': { topic: 'type safety' },
  'social-media-post-prompt': { platform: 'linkedin', content_type: 'tip' },
  'hero-banner-prompt': { website_type: 'saas' },
  'email-header-prompt': { newsletter_type: 'business' },
  'thumbnail-prompt': { content_type: 'tutorial', topic: 'git rebase' },
  'infographic-prompt': { data_type: 'timeline', topic: 'the history of HTTP' },
};

describe('built-in templates', () => {
  it('offers the ten templates of the design under their names', () => {
    expect(
      registry
        .list()
        .map((template) => template.name)
        .sort(),
    ).toEqual(Object.keys(requiredOnly).sort());
  });

  it.each(Object.entries(requiredOnly))('%s renders cleanly with only its required arguments', (name, args) => {
    const rendered = registry.render(name, args);
    for (const value of Object.values(args)) expect(rendered.prompt).toContain(value);
    expect(rendered.prompt).not.toMatch(/undefined|\{|\}|\s{2}|\s[,.]/);
    expect(rendered.recommendedSize).toMatch(/^\d+x\d+$/);
  });

  it('uses every optional argument when given', () => {
    const rendered = registry.render('og-image-prompt', {
      title: 'Ship faster',
      brand_name: 'Acme',
      background_style: 'gradient',
      text_layout: 'left-aligned',
      color_scheme: 'vibrant',
      include_logo: 'yes',
    });
    expect(rendered.prompt).toBe(
      "Create a social media preview image (1200x630px) with 'Ship faster' as the main headline for Acme, using gradient background with left-aligned text layout in vibrant color scheme, including space for logo placement.",
    );
    expect(rendered).toMatchObject({ recommendedSize: '1200x630', aspectRatio: '1.91:1' });
  });

  it('recommends the exact size for each social platform', () => {
    const sizes = ['instagram', 'facebook', 'twitter', 'linkedin'].map(
      (platform) => registry.render('social-media-post-prompt', { platform, content_type: 'quote' }).recommendedSize,
    );
    expect(sizes).toEqual(['1080x1080', '1200x630', '1600x900', '1200x627']);
  });

  it('completes arguments with known values', () => {
    expect(registry.completeArgument('og-image-prompt', 'background_style', 'gr')).toEqual(['gradient']);
    expect(registry.completeArgument('social-media-post-prompt', 'platform', '')).toEqual(['instagram', 'facebook', 'twitter', 'linkedin']);
    expect(registry.completeArgument('og-image-prompt', 'title', 'x')).toEqual([]);
  });

  it.each([
    ['a missing required argument', 'og-image-prompt', {}, /needs title/],
    ['an unknown template', 'no-such-template', {}, /og-image-prompt/],
    ['a template named constructor', 'constructor', {}, /no prompt template named constructor/],
    ['a template named __proto__', '__proto__', {}, /no prompt template named __proto__/],
    ['an argument named constructor', 'og-image-prompt', { title: 't', constructor: 'x' }, /no argument constructor/],
    ['an unknown argument', 'og-image-prompt', { title: 't', colour: 'red' }, /no argument colour/],
    [
      'a value outside a closed set',
      'social-media-post-prompt',
      { platform: 'myspace', content_type: 'tip' },
      /instagram, facebook, twitter, linkedin/,
    ],
    ['a flag that is not yes or no', 'og-image-prompt', { title: 't', include_logo: 'maybe' }, /yes or no/],
  ])('refuses %s, naming what is allowed', (_case, name, args, message) => {
    expect(() => registry.render(name, args)).toThrow(message);
  });

  it('gives every argument a description', () => {
    for (const template of builtInTemplates)
      for (const argument of template.arguments) expect(argument.description.length).toBeGreaterThan(3);
  });
});

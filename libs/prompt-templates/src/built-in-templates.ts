import type { PromptTemplate, TemplateArgument, TemplateRecommendation, TemplateValues } from './template-definition';

const required = (name: string, description: string, values?: readonly string[]): TemplateArgument => ({
  name,
  description,
  required: true,
  ...(values ? { values } : {}),
});
const optional = (name: string, description: string, values?: readonly string[]): TemplateArgument => ({
  name,
  description,
  required: false,
  ...(values ? { values } : {}),
});
const flag = (name: string, description: string): TemplateArgument => ({
  name,
  description,
  required: false,
  flag: true,
  values: ['true', 'false'],
});

/** Joins sentence parts, dropping empty ones, so absent optional arguments leave no gaps or dangling words. */
const sentence = (...parts: Array<string | false | undefined>) =>
  parts
    .filter((part): part is string => typeof part === 'string' && part.trim().length > 0)
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
const text = (values: TemplateValues, name: string) => {
  const value = values[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};
const fixed = (size: string, aspectRatio: string, quality?: string) => (): TemplateRecommendation => ({
  size,
  aspectRatio,
  ...(quality ? { quality } : {}),
});

/**
 * Exact final sizes per social platform, from the platforms' own guidance for feed images (Nov 2026): Instagram
 * square 1080x1080, Facebook link/feed 1200x630, X (Twitter) 1600x900, LinkedIn 1200x627.
 */
const socialSizes: Readonly<Record<string, TemplateRecommendation>> = {
  instagram: { size: '1080x1080', aspectRatio: '1:1', quality: 'high' },
  facebook: { size: '1200x630', aspectRatio: '1.91:1', quality: 'high' },
  twitter: { size: '1600x900', aspectRatio: '16:9', quality: 'high' },
  linkedin: { size: '1200x627', aspectRatio: '1.91:1', quality: 'high' },
};

/** The ten templates of the original design, with exact recommended sizes for their uses. */
export const builtInTemplates: readonly PromptTemplate[] = [
  {
    name: 'creative-image-prompt',
    description: 'Creative image generation with artistic elements.',
    arguments: [
      required('subject', 'Main subject of the image'),
      optional('style', 'Artistic style', ['impressionist', 'digital art', 'photorealistic', 'watercolor', 'surrealist', 'minimalist']),
      optional('mood', 'Desired mood or atmosphere', ['serene', 'dramatic', 'whimsical', 'mysterious', 'joyful']),
      optional('color_palette', 'Colour scheme preference', ['warm', 'cool', 'pastel', 'monochrome', 'vibrant']),
    ],
    render: (values) =>
      sentence(
        `Create a ${text(values, 'style') ?? 'creative'} artwork of ${text(values, 'subject')}`,
        text(values, 'mood') && ` with a ${text(values, 'mood')} atmosphere`,
        text(values, 'color_palette') && ` using ${text(values, 'color_palette')} colors`,
        '.',
      ),
    recommend: fixed('1024x1024', '1:1', 'high'),
    origin: 'built-in',
  },
  {
    name: 'product-image-prompt',
    description: 'Product photography and commercial images.',
    arguments: [
      required('product', 'Product description'),
      optional('background', 'Background setting', ['white studio', 'natural environment', 'lifestyle scene', 'gradient']),
      optional('lighting', 'Lighting style', ['soft natural', 'dramatic studio', 'bright even', 'golden hour']),
      optional('angle', 'Camera angle', ['front view', '45-degree angle', 'top-down', 'close-up']),
    ],
    render: (values) =>
      sentence(
        `Professional product photography of ${text(values, 'product')}`,
        text(values, 'lighting') && ` with ${text(values, 'lighting')} lighting`,
        ` on ${text(values, 'background') ?? 'a clean white studio'} background`,
        text(values, 'angle') && `, shot from ${text(values, 'angle')}`,
        '.',
      ),
    recommend: fixed('1024x1024', '1:1', 'high'),
    origin: 'built-in',
  },
  {
    name: 'artistic-style-prompt',
    description: 'Images in a specific artistic style.',
    arguments: [
      required('subject', 'Subject to render'),
      optional('artist_style', 'Artist or art movement', ['Van Gogh', 'Art Nouveau', 'Bauhaus', 'Ukiyo-e', 'Impressionism']),
      optional('medium', 'Art medium', ['oil painting', 'watercolor', 'digital illustration', 'charcoal', 'linocut']),
      optional('era', 'Time period or artistic era', ['Renaissance', '19th century', '1920s', 'contemporary']),
    ],
    render: (values) =>
      sentence(
        `Render ${text(values, 'subject')}`,
        text(values, 'artist_style') && ` in the style of ${text(values, 'artist_style')}`,
        text(values, 'medium') && ` using ${text(values, 'medium')} technique`,
        text(values, 'era') && ` from the ${text(values, 'era')} period`,
        '.',
      ),
    recommend: fixed('1024x1024', '1:1', 'high'),
    origin: 'built-in',
  },
  {
    name: 'og-image-prompt',
    description: 'Open Graph (og:image) social preview images at exactly 1200x630.',
    arguments: [
      required('title', 'Main title text to display'),
      optional('brand_name', 'Website or brand name'),
      optional('background_style', 'Background style', ['gradient', 'solid', 'pattern', 'minimal', 'tech']),
      optional('text_layout', 'Text arrangement', ['centered', 'left-aligned', 'split', 'overlay']),
      optional('color_scheme', 'Colour palette', ['professional', 'vibrant', 'monochrome', 'brand-colors']),
      flag('include_logo', 'Reserve space for a logo'),
    ],
    render: (values) =>
      sentence(
        `Create a social media preview image (1200x630px) with '${text(values, 'title')}' as the main headline`,
        text(values, 'brand_name') && ` for ${text(values, 'brand_name')}`,
        `, using ${text(values, 'background_style') ?? 'clean'} background`,
        ` with ${text(values, 'text_layout') ?? 'centered'} text layout`,
        text(values, 'color_scheme') && ` in ${text(values, 'color_scheme')} color scheme`,
        values['include_logo'] === true && ', including space for logo placement',
        '.',
      ),
    recommend: fixed('1200x630', '1.91:1', 'high'),
    origin: 'built-in',
  },
  {
    name: 'blog-header-prompt',
    description: 'Blog post header images (1200x400, 3:1).',
    arguments: [
      required('topic', 'Blog post topic or theme'),
      optional('style', 'Visual style', ['modern', 'minimalist', 'illustrative', 'photographic']),
      optional('mood', 'Emotional tone', ['professional', 'friendly', 'exciting', 'calm']),
      flag('include_text_space', 'Leave space for a text overlay'),
    ],
    render: (values) =>
      sentence(
        `Design a blog header image about ${text(values, 'topic')}`,
        text(values, 'style') && ` in ${text(values, 'style')} style`,
        text(values, 'mood') && ` with ${text(values, 'mood')} mood`,
        values['include_text_space'] === true && ', leaving space for text overlay',
        '.',
      ),
    recommend: fixed('1200x400', '3:1', 'medium'),
    origin: 'built-in',
  },
  {
    name: 'social-media-post-prompt',
    description: 'Social media graphics sized per platform.',
    arguments: [
      { ...required('platform', 'Target platform', ['instagram', 'facebook', 'twitter', 'linkedin']), closed: true },
      required('content_type', 'Type of post', ['announcement', 'quote', 'tip', 'behind-the-scenes']),
      optional('brand_style', 'Brand aesthetic', ['corporate', 'casual', 'creative', 'minimalist']),
      flag('call_to_action', 'Include a call-to-action element'),
    ],
    render: (values) =>
      sentence(
        `Create a ${text(values, 'platform')} post graphic for ${text(values, 'content_type')} content`,
        text(values, 'brand_style') && ` in ${text(values, 'brand_style')} style`,
        values['call_to_action'] === true && ' with call-to-action element',
        '.',
      ),
    recommend: (values) =>
      socialSizes[text(values, 'platform') ?? 'instagram'] ?? { size: '1080x1080', aspectRatio: '1:1', quality: 'high' },
    origin: 'built-in',
  },
  {
    name: 'hero-banner-prompt',
    description: 'Website hero section banners (1920x640, 3:1).',
    arguments: [
      required('website_type', 'Type of website', ['business', 'portfolio', 'e-commerce', 'blog', 'saas']),
      optional('industry', 'Industry or niche', ['technology', 'healthcare', 'creative', 'finance', 'education']),
      optional('message', 'Key message or value proposition'),
      optional('visual_style', 'Design approach', ['modern', 'classic', 'bold', 'elegant']),
      flag('include_cta_space', 'Reserve space for a call-to-action button'),
    ],
    render: (values) =>
      sentence(
        `Design a hero banner for a ${text(values, 'website_type')} website`,
        text(values, 'industry') && ` in the ${text(values, 'industry')} industry`,
        text(values, 'message') && ` conveying: ${text(values, 'message')}`,
        text(values, 'visual_style') && `, using ${text(values, 'visual_style')} visual style`,
        values['include_cta_space'] === true && ' with space for call-to-action button',
        '.',
      ),
    recommend: fixed('1920x640', '3:1', 'high'),
    origin: 'built-in',
  },
  {
    name: 'email-header-prompt',
    description: 'Email newsletter headers (1200x400: a 600px-wide email at 2x).',
    arguments: [
      required('newsletter_type', 'Newsletter category', ['business', 'personal', 'promotional', 'educational']),
      optional('brand_name', 'Company or brand name'),
      optional('theme', 'Newsletter theme or topic'),
      optional('season', 'Seasonal context', ['spring', 'summer', 'fall', 'winter', 'holiday']),
      optional('layout', 'Header layout', ['banner', 'logo-focused', 'text-heavy']),
    ],
    render: (values) =>
      sentence(
        `Create an email newsletter header for a ${text(values, 'newsletter_type')} newsletter`,
        text(values, 'brand_name') && ` for ${text(values, 'brand_name')}`,
        text(values, 'theme') && ` with ${text(values, 'theme')} theme`,
        text(values, 'season') && ` with ${text(values, 'season')} seasonal elements`,
        text(values, 'layout') && ` using ${text(values, 'layout')} layout`,
        '.',
      ),
    recommend: fixed('1200x400', '3:1', 'medium'),
    origin: 'built-in',
  },
  {
    name: 'thumbnail-prompt',
    description: 'Video thumbnails (1280x720, 16:9).',
    arguments: [
      required('content_type', 'Content type', ['tutorial', 'review', 'vlog', 'presentation', 'demo']),
      required('topic', 'Video topic or subject'),
      optional('style', 'Thumbnail style', ['bold', 'clean', 'dramatic', 'friendly']),
      flag('include_text', 'Include space for a text overlay'),
      optional('emotion', 'Emotional appeal', ['exciting', 'trustworthy', 'curious', 'urgent']),
    ],
    render: (values) =>
      sentence(
        `Design a video thumbnail for a ${text(values, 'content_type')} about ${text(values, 'topic')}`,
        text(values, 'style') && ` in ${text(values, 'style')} style`,
        text(values, 'emotion') && ` with ${text(values, 'emotion')} emotional appeal`,
        values['include_text'] === true && ', including space for text overlay',
        '.',
      ),
    recommend: fixed('1280x720', '16:9', 'high'),
    origin: 'built-in',
  },
  {
    name: 'infographic-prompt',
    description: 'Infographic-style images (1024x1536, portrait).',
    arguments: [
      required('data_type', 'Type of information', ['statistics', 'process', 'comparison', 'timeline']),
      required('topic', 'Subject matter'),
      optional('visual_approach', 'Design approach', ['modern', 'corporate', 'creative', 'minimal']),
      optional('color_count', 'Colour complexity', ['monochrome', 'two-color', 'multi-color']),
      optional('layout', 'Information layout', ['vertical', 'horizontal', 'circular', 'grid']),
    ],
    render: (values) =>
      sentence(
        `Create an infographic showing ${text(values, 'data_type')} about ${text(values, 'topic')}`,
        text(values, 'visual_approach') && ` using ${text(values, 'visual_approach')} design approach`,
        text(values, 'color_count') && ` with ${text(values, 'color_count')} color scheme`,
        text(values, 'layout') && ` in ${text(values, 'layout')} layout`,
        '.',
      ),
    recommend: fixed('1024x1536', '2:3', 'high'),
    origin: 'built-in',
  },
];

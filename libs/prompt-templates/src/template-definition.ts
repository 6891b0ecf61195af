/** One argument of a prompt template. */
export interface TemplateArgument {
  /** Argument name as clients send it. */
  name: string;
  /** What to put there, for people and for MCP clients' forms. */
  description: string;
  /** Whether rendering fails without it. */
  required: boolean;
  /** Known values, offered for completion. Open (free text still accepted) unless `closed` is true. */
  values?: readonly string[];
  /** Only `values` are accepted. */
  closed?: boolean;
  /** A yes/no switch: accepts true/false/yes/no/1/0. */
  flag?: boolean;
}

/** Arguments after validation: text values, and booleans for flags. */
export type TemplateValues = Readonly<Record<string, string | boolean | undefined>>;

/** What a template recommends for the final image. */
export interface TemplateRecommendation {
  /** Exact final size `WxH` for the use (e.g. 1200x630 for Open Graph); the engine crops or resizes to it. */
  size: string;
  /** Aspect ratio as people say it, e.g. `1.91:1`. */
  aspectRatio: string;
  /** Suggested quality. */
  quality?: string;
}

/** A prompt template: data plus a render function. */
export interface PromptTemplate {
  /** Unique name (kebab-case), used as the MCP prompt name. */
  name: string;
  /** What the template is for. */
  description: string;
  /** Its arguments, required first. */
  arguments: readonly TemplateArgument[];
  /** Builds the prompt text from validated values; optional values may be absent. */
  render(values: TemplateValues): string;
  /** The recommendation for the given values (social media posts differ per platform). */
  recommend(values: TemplateValues): TemplateRecommendation;
  /** Where the template came from. */
  origin: 'built-in' | 'custom';
}

/** A rendered template. */
export interface RenderedTemplate {
  /** The template's name. */
  template: string;
  /** The prompt text to send to an image model. */
  prompt: string;
  /** Exact final size. */
  recommendedSize: string;
  /** Suggested quality, when the template has one. */
  recommendedQuality?: string;
  /** Aspect ratio of the recommended size. */
  aspectRatio: string;
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ImageGenError } from '@imagegen/common';
import type { PromptTemplate, TemplateValues } from './template-definition';

/** The file shape of a custom template (the original design's "Custom Template Extension"). */
const customTemplateSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (lower-case letters, digits and dashes)'),
    description: z.string().min(1),
    arguments: z.object({
      required: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'argument names are snake_case')).default([]),
      optional: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'argument names are snake_case')).default([]),
    }),
    template: z.string().min(1),
    metadata: z
      .object({
        recommended_size: z
          .string()
          .regex(/^\d+x\d+$/, 'must be WxH, e.g. 1024x1024')
          .default('1024x1024'),
        quality: z.string().optional(),
        style: z.string().optional(),
      })
      .default({ recommended_size: '1024x1024' }),
  })
  .strict();

/** Reading folders, injectable for tests. */
export interface TemplateFileSystem {
  /** File names in a folder. */
  listFiles(directory: string): Promise<string[]>;
  /** A file's text. */
  readText(filePath: string): Promise<string>;
}

const nodeTemplateFileSystem: TemplateFileSystem = {
  listFiles: (directory) => fs.promises.readdir(directory),
  readText: (filePath) => fs.promises.readFile(filePath, 'utf8'),
};

const greatestCommonDivisor = (left: number, right: number): number => (right === 0 ? left : greatestCommonDivisor(right, left % right));

function fromFile(data: z.infer<typeof customTemplateSchema>): PromptTemplate {
  const names = [...data.arguments.required, ...data.arguments.optional];
  const [width, height] = data.metadata.recommended_size.split('x').map(Number) as [number, number];
  const divisor = greatestCommonDivisor(width, height) || 1;
  return {
    name: data.name,
    description: data.description,
    arguments: [
      ...data.arguments.required.map((name) => ({ name, description: name.replace(/_/g, ' '), required: true })),
      ...data.arguments.optional.map((name) => ({ name, description: name.replace(/_/g, ' '), required: false })),
    ],
    render: (values: TemplateValues) =>
      data.template
        .replace(/\{([a-z_][a-z0-9_]*)\}/g, (_match, name: string) => (names.includes(name) ? String(values[name] ?? '') : ''))
        .replace(/\s+([,.;:!?])/g, '$1')
        .replace(/\s+/g, ' ')
        .trim(),
    recommend: () => ({
      size: data.metadata.recommended_size,
      aspectRatio: `${width / divisor}:${height / divisor}`,
      ...(data.metadata.quality ? { quality: data.metadata.quality } : {}),
    }),
    origin: 'custom',
  };
}

/**
 * Loads every `*.json` template in `directory`, validating all of them before returning: one `invalid_config` error
 * lists every problem with its file and field. Placeholders naming no declared argument are problems too.
 */
export async function loadCustomTemplates(
  directory: string,
  fileSystem: TemplateFileSystem = nodeTemplateFileSystem,
): Promise<PromptTemplate[]> {
  let files: string[];
  try {
    files = (await fileSystem.listFiles(directory)).filter((file) => file.endsWith('.json')).sort();
  } catch (error) {
    throw new ImageGenError({
      code: 'invalid_config',
      message: `TEMPLATES__DIRECTORY = ${directory}: the folder cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      details: { setting: 'TEMPLATES__DIRECTORY' },
    });
  }
  const problems: string[] = [];
  const templates: PromptTemplate[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const filePath = path.join(directory, file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fileSystem.readText(filePath));
    } catch {
      problems.push(`${file}: not valid JSON`);
      continue;
    }
    const result = customTemplateSchema.safeParse(parsed);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
      continue;
    }
    const declared = new Set([...result.data.arguments.required, ...result.data.arguments.optional]);
    const undeclared = [...result.data.template.matchAll(/\{([a-z_][a-z0-9_]*)\}/g)]
      .map((match) => match[1] ?? '')
      .filter((name) => !declared.has(name));
    if (undeclared.length > 0) {
      problems.push(`${file}: template: placeholder {${undeclared.join('}, {')}} names no declared argument`);
      continue;
    }
    if (seen.has(result.data.name)) {
      problems.push(`${file}: name: ${result.data.name} is used by another custom template`);
      continue;
    }
    seen.add(result.data.name);
    templates.push(fromFile(result.data));
  }
  if (problems.length > 0) {
    throw new ImageGenError({
      code: 'invalid_config',
      message: `Custom templates in ${directory} are invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
      details: { setting: 'TEMPLATES__DIRECTORY', problems },
    });
  }
  return templates;
}

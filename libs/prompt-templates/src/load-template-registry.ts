import { loadCustomTemplates } from './custom-templates';
import { createTemplateRegistry, type TemplateRegistry } from './template-registry';

/** Which templates a server offers (the `TEMPLATES__…` settings). */
export interface TemplateSettings {
  /** Whether custom templates are loaded at all (`TEMPLATES__ENABLE_CUSTOM`). */
  enableCustom: boolean;
  /** The folder of custom `*.json` templates (`TEMPLATES__DIRECTORY`); without it there are none. */
  directory?: string | undefined;
}

/**
 * The registry a server offers: the built-in templates, plus every custom one of `settings.directory` when custom
 * templates are enabled.
 *
 * @throws ImageGenError `invalid_config` naming each broken template file, or a custom name that is taken.
 */
export async function loadTemplateRegistry(settings: TemplateSettings): Promise<TemplateRegistry> {
  const customTemplates = settings.enableCustom && settings.directory ? await loadCustomTemplates(settings.directory) : [];
  return createTemplateRegistry({ customTemplates });
}

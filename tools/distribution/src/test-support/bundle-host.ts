/**
 * What a bundle host (Claude Desktop) does with a manifest's `mcp_config`: replaces `${__dirname}` with the unpacked
 * folder and `${user_config.KEY}` with the value the user entered, else the option's default. A blank option without
 * a default stays a literal placeholder (Claude Desktop passes it through unchanged), which is why every optional
 * option of ours has a default.
 */
export interface UserConfigOption {
  type: string;
  default?: string | number | boolean | string[];
  required?: boolean;
  sensitive?: boolean;
}

export interface BundleManifest {
  name: string;
  version: string;
  server: { entry_point: string; mcp_config: { command: string; args?: string[]; env?: Record<string, string> } };
  user_config?: Record<string, UserConfigOption>;
  tools?: { name: string }[];
  compatibility?: { platforms?: string[]; runtimes?: { node?: string } };
}

export interface ResolvedCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export function resolveMcpConfig(manifest: BundleManifest, bundleFolder: string, entered: Record<string, string>): ResolvedCommand {
  const substitute = (text: string) =>
    text.replace(/\$\{__dirname\}/g, bundleFolder).replace(/\$\{user_config\.([\w-]+)\}/g, (placeholder, key: string) => {
      const option = manifest.user_config?.[key];
      if (Object.prototype.hasOwnProperty.call(entered, key)) return entered[key] as string;
      return option?.default !== undefined ? String(option.default) : placeholder;
    });
  const { command, args = [], env = {} } = manifest.server.mcp_config;
  return {
    command: substitute(command),
    args: args.map(substitute),
    env: Object.fromEntries(Object.entries(env).map(([name, value]) => [name, substitute(value)])),
  };
}

/**
 * The MCP Registry entry: `server.json` valid against the registry's schema (vendored, since CI is offline), naming the
 * published npm package at its current version with the stdio transport, and its environment variables real settings
 * of the server with every key marked secret.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeSettings } from '@imagegen/config';
import { workspaceRoot } from './test-support/commands';

interface EnvironmentVariable {
  name: string;
  isSecret?: boolean;
  format?: string;
}
interface ServerJson {
  $schema: string;
  name: string;
  version: string;
  packages: {
    registryType: string;
    identifier: string;
    version: string;
    transport: { type: string };
    environmentVariables: EnvironmentVariable[];
  }[];
}

const readJson = <T>(relative: string) => JSON.parse(fs.readFileSync(path.join(workspaceRoot, relative), 'utf8')) as T;
const schema = readJson<Record<string, unknown> & { $id: string }>('tools/distribution/schemas/server.schema.json');
const serverJson = readJson<ServerJson>('server.json');
const stdioManifest = readJson<{ name: string; version: string; mcpName: string }>('apps/stdio-server/package.json');
// The plain vendor names the config loader falls back to (documented on the setting they stand for).
const vendorKeyNames: Record<string, string> = {
  OPENAI_API_KEY: 'PROVIDERS__OPENAI__API_KEY',
  GEMINI_API_KEY: 'PROVIDERS__GEMINI__API_KEY',
  GOOGLE_API_KEY: 'PROVIDERS__GEMINI__API_KEY',
};

function validate(document: unknown) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const check = ajv.compile(schema);
  return check(document) ? [] : (check.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

describe('server.json', () => {
  it('declares the vendored registry schema version', () => {
    expect(serverJson.$schema).toBe(schema.$id);
  });

  it('is valid against the MCP Registry server.json schema', () => {
    expect(validate(serverJson)).toEqual([]);
  });

  it('the schema check rejects what the registry rejects (a version range, a bad name)', () => {
    expect(validate({ ...serverJson, name: 'no-namespace' })).not.toEqual([]);
    expect(validate({ ...serverJson, packages: [{ ...serverJson.packages[0], version: 'latest' }] })).not.toEqual([]);
  });

  it('is the entry the stdio package claims (mcpName), at the package’s version', () => {
    expect(serverJson.name).toBe(stdioManifest.mcpName);
    expect(serverJson.version).toBe(stdioManifest.version);
    expect(serverJson.packages).toHaveLength(1);
    expect(serverJson.packages[0]).toMatchObject({
      registryType: 'npm',
      identifier: stdioManifest.name,
      version: stdioManifest.version,
      transport: { type: 'stdio' },
    });
  });

  describe('environment variables', () => {
    const settings = new Map(describeSettings().map((setting) => [setting.envName, setting]));
    const variables = serverJson.packages[0]?.environmentVariables ?? [];

    it.each(variables.map((variable) => [variable.name, variable]))(
      '%s is a setting the server reads, secret exactly when the setting is',
      (name, variable) => {
        const settingName = vendorKeyNames[name] ?? name;
        const setting = settings.get(settingName);
        expect(setting).toBeDefined();
        if (settingName !== name) expect(setting?.description).toContain(name);
        expect(Boolean(variable.isSecret)).toBe(Boolean(setting?.secret));
      },
    );

    it('offer both provider keys, marked secret', () => {
      expect(variables.filter((variable) => variable.isSecret).map((variable) => variable.name)).toEqual([
        'OPENAI_API_KEY',
        'GEMINI_API_KEY',
      ]);
    });
  });
});

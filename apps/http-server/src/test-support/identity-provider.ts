import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

/** The test identity provider (see identity-provider.mjs), running in a child process. */
export interface TestIdentityProvider {
  /** Its issuer URL (`AUTH__ISSUER`). */
  issuer: string;
  /** A token signed with the provider's key (or, `forged`, another key under the same key id) with exactly these claims. */
  mint(claims: Record<string, unknown>, options?: { forged?: boolean }): Promise<string>;
  /** An access token from the token endpoint by client credentials, for `resource`. */
  clientCredentialsToken(client: 'svc-alice' | 'svc-bob' | 'svc-admin', resource: string, scope: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts the identity provider on a free loopback port and waits until it listens. */
export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'identity-provider.mjs')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('the identity provider has no standard output'));
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve((JSON.parse(line) as { issuer: string }).issuer));
    child.once('exit', (code) => reject(new Error(`the identity provider exited (${String(code)}): ${stderr}`)));
  });
  return {
    issuer,
    async mint(claims, options = {}) {
      const response = await fetch(`${issuer}/test/mint`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ claims, forged: options.forged === true }),
      });
      return ((await response.json()) as { token: string }).token;
    },
    async clientCredentialsToken(client, resource, scope) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client}:${client}-secret`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!body.access_token) throw new Error(`client credentials refused: ${body.error ?? ''} ${body.error_description ?? ''}`);
      return body.access_token;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

import { z } from 'zod';
import { ProtocolError, ProtocolErrorCode, type AuthInfo, type McpServer, type ScopeChallenge } from '@modelcontextprotocol/server';
import type { Logger } from '@imagegen/common';
import type { ImageEngine } from '@imagegen/core';
import { toolErrorResult } from './tool-errors';

/** The OAuth scopes the server understands, by what they allow. */
export interface ScopeNames {
  /** Generate and edit images, fetch and delete one's own generations (default `images:generate`). */
  generate: string;
  /** Read one's own history, stats, gallery and images (default `images:read`). */
  read: string;
  /** See everyone's images, jobs and spend; set per-user budgets (`AUTH__ADMIN_SCOPE`, default `images:admin`). It implies the others. */
  admin: string;
}

/** The default scope names. */
export const defaultScopeNames: ScopeNames = { generate: 'images:generate', read: 'images:read', admin: 'images:admin' };

/** How one MCP server instance is authorised: the signed-in caller's token and the scope names in force. */
export interface McpAuthorization {
  /** The verified access token of the caller (its scopes decide what it may call). */
  authInfo: AuthInfo;
  /** The scope names. */
  scopes: ScopeNames;
}

type ScopeKind = keyof ScopeNames;

/** The admin-only tool that sets one user's budget. */
export const setUserBudgetToolName = 'set_user_budget';

/**
 * What each tool needs; tools absent here (list_available_models) need only a valid token. delete_image counts as
 * generating (it changes one's own images).
 */
const toolScopes: Readonly<Record<string, ScopeKind>> = {
  generate_image: 'generate',
  edit_image: 'generate',
  get_generation: 'generate',
  delete_image: 'generate',
  get_image_history: 'read',
  get_storage_stats: 'read',
  open_gallery: 'read',
  [setUserBudgetToolName]: 'admin',
};

/** What each resource needs; model-info and the app views need only a valid token. */
const resourceScopes: Readonly<Record<string, ScopeKind>> = {
  'generated-image': 'read',
  'image-history': 'read',
  'storage-stats': 'read',
};

/** Whether the caller holds the scope of `kind` (the admin scope implies every other). */
export function hasScope(authorization: McpAuthorization | undefined, kind: ScopeKind): boolean {
  if (!authorization) return true;
  const held = authorization.authInfo.scopes;
  return held.includes(authorization.scopes[kind]) || held.includes(authorization.scopes.admin);
}

const challengeFor =
  (authorization: McpAuthorization, kind: ScopeKind) =>
  ({ authInfo }: { authInfo?: AuthInfo }): ScopeChallenge | undefined => {
    if (authInfo === undefined) return undefined;
    if (hasScope({ ...authorization, authInfo }, kind)) return undefined;
    return { scopes: [authorization.scopes[kind]], errorDescription: `This needs the ${authorization.scopes[kind]} scope` };
  };

/** The answer of a tool the caller lacks the scope for (transports without HTTP scope challenges, such as legacy SSE). */
const deniedTool = (scope: string) => ({
  isError: true,
  content: [{ type: 'text' as const, text: `This needs the ${scope} scope; sign in again granting it.\n(error code: insufficient_scope)` }],
});

/**
 * Makes every tool and resource registered on `server` from now on require its scope: a call without it is refused
 * by the SDK's HTTP transports with 403 and `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`, so the
 * client can ask the user for more access (MCP authorization, step-up). Transports that cannot answer so (the
 * deprecated HTTP+SSE one) reach the handler, which then refuses too: an `isError` result for a tool, an error for a
 * resource read. Call before registering anything.
 */
export function requireScopesOnRegistration(server: McpServer, authorization: McpAuthorization): void {
  const registerTool = server.registerTool.bind(server) as (...parts: unknown[]) => unknown;
  const registerResource = server.registerResource.bind(server) as (...parts: unknown[]) => unknown;
  (server as { registerTool: unknown }).registerTool = (name: string, config: Record<string, unknown>, callback: unknown) => {
    const kind = toolScopes[name];
    if (!kind) return registerTool(name, config, callback);
    const scope = authorization.scopes[kind];
    const handler = hasScope(authorization, kind) ? callback : async () => deniedTool(scope);
    return registerTool(name, { ...config, scopeChallenge: challengeFor(authorization, kind) }, handler);
  };
  (server as { registerResource: unknown }).registerResource = (
    name: string,
    target: unknown,
    config: Record<string, unknown>,
    callback: unknown,
  ) => {
    const kind = resourceScopes[name];
    if (!kind) return registerResource(name, target, config, callback);
    const scope = authorization.scopes[kind];
    const handler = hasScope(authorization, kind)
      ? callback
      : async () => {
          // A request error, not an internal one: the client is told which scope to ask for.
          throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `This needs the ${scope} scope; sign in again granting it.`, {
            reason: 'insufficient_scope',
            scope,
          });
        };
    return registerResource(name, target, { ...config, scopeChallenge: challengeFor(authorization, kind) }, handler);
  };
}

/** `set_user_budget`: an administrator sets one user's own daily and monthly caps. Registered for admin callers only. */
export function registerSetUserBudgetTool(server: McpServer, engine: ImageEngine, logger: Logger): void {
  const amount = z
    .number()
    .min(0)
    .nullable()
    .optional()
    .describe('US dollars, 0 or more; null removes the cap; leave out to keep the current one');
  server.registerTool(
    setUserBudgetToolName,
    {
      title: 'Set a user budget',
      description:
        "Sets one user's own spending caps (administrators only). Their calls count against these and the global caps. The user is named by their principal id (the token claim AUTH__TENANT_CLAIM, 'sub' by default).",
      inputSchema: z.object({
        principal_id: z.string().min(1).max(256).describe('The user: the value of their tenant claim'),
        daily_usd: amount,
        monthly_usd: amount,
      }),
      outputSchema: z.object({
        principal_id: z.string(),
        daily_usd: z.number().nullable(),
        monthly_usd: z.number().nullable(),
      }),
      annotations: { title: 'Set a user budget', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) => {
      try {
        const limits = await engine.setPrincipalBudget(args.principal_id, {
          ...(args.daily_usd === undefined ? {} : { dailyUsd: args.daily_usd }),
          ...(args.monthly_usd === undefined ? {} : { monthlyUsd: args.monthly_usd }),
        });
        const result = { principal_id: args.principal_id, daily_usd: limits.dailyUsd ?? null, monthly_usd: limits.monthlyUsd ?? null };
        return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
      } catch (error) {
        return toolErrorResult(error, logger);
      }
    },
  );
}

import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ImageGenError, type ImageEngine } from '@imagegen/core';
import type { ToolCallObserver } from '@imagegen/mcp';

/** The routes this app serves; anything else is counted as `other` so label values stay few. */
const knownRoutes = new Set(['/mcp', '/sse', '/messages', '/metrics', '/healthz', '/readyz']);
const knownMethods = new Set(['GET', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PUT', 'PATCH']);

function routeLabel(path: string): string {
  if (knownRoutes.has(path)) return path;
  if (/^\/images\/[^/]+$/.test(path)) return '/images/:imageId';
  return 'other';
}

type Operation = 'generate' | 'edit';

/** Everything `/metrics` shows, in one registry per app (tests build many apps in one process). */
export interface AppMetrics {
  /** The registry `/metrics` serializes. */
  readonly registry: Registry;
  /** Counts every HTTP request (by route, method and status) and times it. Mount before anything that may refuse. */
  httpMiddleware(request: Request, response: Response, next: NextFunction): void;
  /** The same engine, with generations, cache hits and misses, cost and errors recorded. */
  instrumentEngine(engine: ImageEngine): ImageEngine;
  /** Records tool calls and their outcomes, whichever transport and protocol era carries them. */
  readonly toolCallObserver: ToolCallObserver;
  /** Tool calls received and not yet answered, across every transport. */
  inFlightToolCalls(): number;
  /** Reports open MCP sessions by transport kind when `/metrics` is read. */
  observeSessions(count: () => Record<string, number>): void;
}

/** Options of {@link createAppMetrics}. */
export interface AppMetricsOptions {
  /** Tool names used as label values; calls of any other name are counted as `unknown`. */
  toolNames: readonly string[];
  /** Also export Node.js process metrics (CPU, memory, event loop). Default true. */
  processMetrics?: boolean;
}

const durationBuckets = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function createAppMetrics(options: AppMetricsOptions): AppMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const toolNames = new Set(options.toolNames);
  const toolLabel = (name: unknown) => (typeof name === 'string' && toolNames.has(name) ? name : 'unknown');

  const httpRequests = new Counter({
    name: 'imagegen_http_requests_total',
    help: 'HTTP requests answered, by route, method and status code (refusals included).',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'imagegen_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to the end of its response (streams last as long as they stay open).',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: durationBuckets,
    registers,
  });
  const toolCalls = new Counter({
    name: 'imagegen_mcp_tool_calls_total',
    help: 'MCP tools/call requests by tool and outcome (success, error = isError result or JSON-RPC error, cancelled).',
    labelNames: ['tool', 'outcome'] as const,
    registers,
  });
  const toolDuration = new Histogram({
    name: 'imagegen_mcp_tool_call_duration_seconds',
    help: 'Time to answer an MCP tools/call request, by tool.',
    labelNames: ['tool'] as const,
    buckets: durationBuckets,
    registers,
  });
  let inFlight = 0;
  new Gauge({
    name: 'imagegen_mcp_tool_calls_in_flight',
    help: 'MCP tool calls received and not yet answered.',
    registers,
    collect() {
      this.set(inFlight);
    },
  });
  let sessionCounts: () => Record<string, number> = () => ({});
  new Gauge({
    name: 'imagegen_mcp_sessions',
    help: 'Open MCP sessions by transport (streamable_http, sse).',
    labelNames: ['transport'] as const,
    registers,
    collect() {
      for (const [transport, count] of Object.entries(sessionCounts())) this.set({ transport }, count);
    },
  });
  const generations = new Counter({
    name: 'imagegen_generations_total',
    help: 'Successful generate and edit calls by operation, model, provider and whether the cache answered (hit, miss, bypass for fresh requests).',
    labelNames: ['operation', 'model', 'provider', 'cache'] as const,
    registers,
  });
  const images = new Counter({
    name: 'imagegen_images_total',
    help: 'Images returned by generate and edit calls, by operation, model and provider.',
    labelNames: ['operation', 'model', 'provider'] as const,
    registers,
  });
  const generationDuration = new Histogram({
    name: 'imagegen_generation_duration_seconds',
    help: 'Time of successful generate and edit calls, by operation, model and provider.',
    labelNames: ['operation', 'model', 'provider'] as const,
    buckets: durationBuckets,
    registers,
  });
  const cacheHits = new Counter({
    name: 'imagegen_cache_hits_total',
    help: 'Generate and edit calls answered from the cache.',
    labelNames: ['operation'] as const,
    registers,
  });
  const cacheMisses = new Counter({
    name: 'imagegen_cache_misses_total',
    help: 'Generate and edit calls the cache could not answer (requests with fresh=true are not counted).',
    labelNames: ['operation'] as const,
    registers,
  });
  const cost = new Counter({
    name: 'imagegen_cost_usd_total',
    help: 'Spend in USD by model and provider: the provider-reported cost, or the estimate when the provider reports no usage. Cache hits cost nothing.',
    labelNames: ['model', 'provider'] as const,
    registers,
  });
  const errors = new Counter({
    name: 'imagegen_errors_total',
    help: 'Failed generate and edit calls by operation and ImageGenError code (invalid_request, rate_limited, content_blocked, cancelled, ...).',
    labelNames: ['operation', 'code'] as const,
    registers,
  });

  const observeCall = async <
    T extends { model: string; provider: string; fromCache: boolean; images: unknown[]; actualCostUsd?: number; estimatedCostUsd?: number },
  >(
    operation: Operation,
    fresh: boolean,
    call: () => Promise<T>,
  ): Promise<T> => {
    const started = process.hrtime.bigint();
    try {
      const result = await call();
      const labels = { operation, model: result.model, provider: result.provider };
      generations.inc({ ...labels, cache: fresh ? 'bypass' : result.fromCache ? 'hit' : 'miss' });
      images.inc(labels, result.images.length);
      generationDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      if (!fresh) (result.fromCache ? cacheHits : cacheMisses).inc({ operation });
      const spent = result.fromCache ? 0 : (result.actualCostUsd ?? result.estimatedCostUsd ?? 0);
      // Always touch the series so a model shows up at 0 before its first paid call.
      cost.inc({ model: result.model, provider: result.provider }, spent > 0 ? spent : 0);
      return result;
    } catch (error) {
      errors.inc({ operation, code: ImageGenError.isInstance(error) ? error.code : 'internal' });
      throw error;
    }
  };

  return {
    registry,
    httpMiddleware(request, response, next) {
      const started = process.hrtime.bigint();
      const route = routeLabel(request.path);
      const method = knownMethods.has(request.method) ? request.method : 'OTHER';
      let recorded = false;
      const record = () => {
        if (recorded) return;
        recorded = true;
        const labels = { route, method, status: String(response.statusCode) };
        httpRequests.inc(labels);
        httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      };
      response.once('finish', record);
      response.once('close', record);
      next();
    },
    instrumentEngine(engine) {
      return {
        ...engine,
        generate: (input, callOptions) => observeCall('generate', input.fresh === true, () => engine.generate(input, callOptions)),
        edit: (input, callOptions) => observeCall('edit', input.fresh === true, () => engine.edit(input, callOptions)),
      };
    },
    toolCallObserver: {
      started(tool) {
        const started = process.hrtime.bigint();
        const label = toolLabel(tool);
        inFlight += 1;
        let finished = false;
        return {
          finished(outcome) {
            if (finished) return;
            finished = true;
            inFlight -= 1;
            toolCalls.inc({ tool: label, outcome });
            if (outcome !== 'cancelled') toolDuration.observe({ tool: label }, Number(process.hrtime.bigint() - started) / 1e9);
          },
        };
      },
    },
    inFlightToolCalls: () => inFlight,
    observeSessions(count) {
      sessionCounts = count;
    },
  };
}

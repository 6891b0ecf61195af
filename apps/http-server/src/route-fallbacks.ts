import type { Express, RequestHandler } from 'express';

/**
 * The routes the app serves and the methods each accepts (HEAD goes with GET). `/mcp` is absent: it takes every
 * method and its transport answers the ones MCP does not use.
 */
export const servedRoutes: ReadonlyArray<{ path: string; methods: readonly string[] }> = [
  { path: '/healthz', methods: ['GET', 'HEAD'] },
  { path: '/readyz', methods: ['GET', 'HEAD'] },
  { path: '/metrics', methods: ['GET', 'HEAD'] },
  { path: '/images/:imageId', methods: ['GET', 'HEAD'] },
  { path: '/gallery', methods: ['GET', 'HEAD'] },
  { path: '/gallery/api/images', methods: ['GET', 'HEAD'] },
  { path: '/gallery/api/images/:imageId', methods: ['DELETE'] },
  { path: '/sse', methods: ['GET', 'HEAD'] },
  { path: '/messages', methods: ['POST'] },
];

/** A known path asked with a method it does not serve: JSON 405 naming the ones it does, in `Allow` too. */
function methodNotAllowed(methods: readonly string[]): RequestHandler {
  return (request, response) => {
    response
      .status(405)
      .set('Allow', methods.join(', '))
      .json({ error: 'method_not_allowed', message: `${request.path} does not accept ${request.method}; use ${methods.join(' or ')}.` });
  };
}

/** Every path nothing serves: JSON 404 (Express's default is an HTML page). */
const routeNotFound: RequestHandler = (request, response) => {
  response.status(404).json({
    error: 'not_found',
    message: `Nothing is served at ${request.path}. Routes: /mcp, /sse, /messages, /images/{id}, /gallery, /metrics, /healthz, /readyz.`,
  });
};

/**
 * Answers, as JSON, what no route took. Mount after every route: a route that matched has already answered, so
 * what reaches a known path here came with a method that path does not serve.
 */
export function mountRouteFallbacks(app: Express): void {
  for (const route of servedRoutes) app.all(route.path, methodNotAllowed(route.methods));
  app.use(routeNotFound);
}

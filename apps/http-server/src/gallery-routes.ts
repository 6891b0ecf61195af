import type { Express, Request, RequestHandler, Response } from 'express';
import { ImageGenError, type ImageEngine } from '@imagegen/core';
import { queryGallery } from '@imagegen/mcp';
import { galleryViewHtml } from '@imagegen/mcp-app-views';

/** What the gallery routes need from the app. */
export interface GalleryRouteOptions {
  /** The engine as a request's principal sees it (its own images only, with sign-in). */
  engineOf: (request: Request) => ImageEngine;
  /** The app's authentication and per-client rate limit, in the order the app runs them (the ones `/mcp` and `/images` use). */
  guarded: RequestHandler[];
}

/**
 * The page loads nothing from anywhere but this server: its script and styles are inlined, images come from
 * `/images` as blobs. Framing is refused (the page deletes images).
 */
const pageSecurityHeaders = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function sendError(response: Response, error: unknown): void {
  const known = ImageGenError.isInstance(error);
  const status = known && error.code === 'not_found' ? 404 : known && error.code === 'invalid_request' ? 400 : 500;
  response.status(status).json({ error: known ? error.code : 'internal', message: known ? error.message : 'Internal error.' });
}

const queryText = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * `/gallery`, the gallery view as a page for teams. The page itself holds no data; everything it shows or changes
 * goes through `/gallery/api/*` and `/images/*`, behind the same bearer token as `/mcp` (the page asks for it when
 * the server requires one, and keeps it for the browser tab only).
 */
export function mountGalleryRoutes(app: Express, options: GalleryRouteOptions): void {
  app.get('/gallery', (_request, response) => {
    response.status(200).set(pageSecurityHeaders).type('html').send(galleryViewHtml);
  });
  app.get('/gallery/api/images', ...options.guarded, async (request, response) => {
    try {
      const limit = Number(queryText(request.query['limit']) ?? '60');
      const listing = await queryGallery(options.engineOf(request), {
        text: queryText(request.query['text']),
        model: queryText(request.query['model']),
        from: queryText(request.query['from']),
        to: queryText(request.query['to']),
        limit: Number.isFinite(limit) ? limit : 60,
      });
      response.status(200).set('Cache-Control', 'no-store').json(listing);
    } catch (error) {
      sendError(response, error);
    }
  });
  app.delete('/gallery/api/images/:imageId', ...options.guarded, async (request, response) => {
    try {
      const report = await options.engineOf(request).deleteImage(String(request.params['imageId']));
      response.status(200).json({ image_id: report.imageId, deleted: true, cache_entry_removed: report.cacheEntryRemoved });
    } catch (error) {
      sendError(response, error);
    }
  });
}

import type { App } from '@modelcontextprotocol/ext-apps';
import type { GalleryEntry, GalleryListing } from '../../src/gallery-listing';
import { readImageThroughHost, toolErrorText } from '../shared/host-connection';

export type { GalleryEntry, GalleryListing };

/** The gallery's filters; empty strings mean "any". Dates are `YYYY-MM-DD`, inclusive, in UTC. */
export interface GalleryFilter {
  text: string;
  model: string;
  from: string;
  to: string;
}

/** What the gallery needs from where it runs: an MCP host, or the HTTP server it was served by. */
export interface GalleryBackend {
  list(filter: GalleryFilter): Promise<GalleryListing>;
  image(entry: GalleryEntry): Promise<Blob>;
  remove(entry: GalleryEntry): Promise<void>;
}

/** A failure to show as is: the server's own message for a person. */
export class GalleryError extends Error {
  constructor(
    message: string,
    readonly needsToken = false,
  ) {
    super(message);
  }
}

const filterArguments = (filter: GalleryFilter): Record<string, string> =>
  Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== '')) as Record<string, string>;

export function parseListing(value: unknown): GalleryListing {
  const listing = (value ?? {}) as Partial<GalleryListing>;
  return {
    images: Array.isArray(listing.images) ? listing.images : [],
    total_count: typeof listing.total_count === 'number' ? listing.total_count : 0,
    models: Array.isArray(listing.models) ? listing.models : [],
  };
}

/** Inside an MCP host: the open_gallery and delete_image tools and `generated-images://` reads, through the host. */
export function hostBackend(app: App): GalleryBackend {
  return {
    async list(filter) {
      const result = await app.callServerTool({ name: 'open_gallery', arguments: filterArguments(filter) });
      if (result.isError) throw new GalleryError(toolErrorText(result, 'The gallery could not be listed.'));
      return parseListing(result.structuredContent);
    },
    image: (entry) => readImageThroughHost(app, entry.resource_uri),
    async remove(entry) {
      const result = await app.callServerTool({ name: 'delete_image', arguments: { image_id: entry.image_id } });
      if (result.isError) throw new GalleryError(toolErrorText(result, `${entry.image_id} could not be deleted.`));
    },
  };
}

const tokenKey = 'imagegen-gallery-token';

/** As a page of the HTTP server: its `/gallery/api` and `/images` routes, with the server's bearer token. */
export function httpBackend(baseUrl: URL): GalleryBackend & { setToken(token: string): void } {
  const headers = (): Record<string, string> => {
    const token = sessionStorage.getItem(tokenKey);
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(new URL(path, baseUrl), { ...init, headers: { ...headers(), ...(init.headers ?? {}) } });
    if (response.status === 401) throw new GalleryError('This server needs its access token (the bearer token of /mcp).', true);
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      throw new GalleryError(body.message ?? `The server answered ${response.status}.`);
    }
    return response;
  };
  return {
    setToken: (token) => sessionStorage.setItem(tokenKey, token),
    async list(filter) {
      const query = new URLSearchParams(filterArguments(filter));
      return parseListing(await (await request(`gallery/api/images?${query}`)).json());
    },
    image: async (entry) => (await request(`images/${encodeURIComponent(entry.image_id)}`)).blob(),
    async remove(entry) {
      await request(`gallery/api/images/${encodeURIComponent(entry.image_id)}`, { method: 'DELETE' });
    },
  };
}

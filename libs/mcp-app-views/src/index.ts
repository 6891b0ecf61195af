// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- consumers type-check this file through tsconfig paths and need the `*.html` declaration with it
/// <reference path="./html-modules.d.ts" />
/**
 * @imagegen/mcp-app-views — the MCP App views of imagegen, each one self-contained HTML file (script and styles
 * inlined, no network access): the image view with its mask editor, and the gallery. A server hands them out as
 * `ui://` resources of MIME type `text/html;profile=mcp-app`; the gallery also runs as a plain web page.
 */
export type { GalleryEntry, GalleryListing } from './gallery-listing';
import galleryView from '../dist/views/gallery-view.html';
import imageView from '../dist/views/image-view.html';

/** The image view: full-size results, variants side by side, the mask editor, download, progress and errors. */
export const imageViewHtml: string = imageView;

/** The gallery: thumbnails, filters by prompt text, model and date, open and delete (MCP App or web page). */
export const galleryViewHtml: string = galleryView;

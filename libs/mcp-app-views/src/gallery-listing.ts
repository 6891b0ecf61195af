/**
 * The gallery's listing as it travels between the server (the open_gallery tool and `/gallery/api/images`) and the
 * gallery view: one definition, so neither side can drift from the other. Field names are snake_case like the other
 * tool results.
 */

/** One stored image in the gallery listing. */
export interface GalleryEntry {
  /** The image's id (`img_…`). */
  image_id: string;
  /** When it was stored, ISO 8601 in UTC. */
  created_at: string;
  /** The stored prompt excerpt. */
  prompt: string;
  /** The model that made it. */
  model: string;
  /** File format: png, jpeg, webp, gif or svg. */
  format: string;
  /** Size of the stored file in bytes. */
  file_size_bytes: number;
  /** The image's MCP resource (`generated-images://…`). */
  resource_uri: string;
}

/** A page of the gallery: the newest matching images, how many match, and the models there are to filter by. */
export interface GalleryListing {
  /** The matching images, newest first (at most the page's limit). */
  images: GalleryEntry[];
  /** How many images match the filter (the page may hold fewer). */
  total_count: number;
  /** Every model among the stored images, for the model filter. */
  models: string[];
}

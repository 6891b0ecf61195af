/** What the MCP layer needs to know beyond the engine. */
export interface McpServerSettings {
  /** Server name reported at `initialize`. */
  name: string;
  /** Server version reported at `initialize`. */
  version: string;
  /**
   * Upper bound, in bytes, on a serialized tool result with images (clients reject results over about 1 MB; some
   * cap far lower). The full image is always reachable through its resource link, file path or URL.
   */
  responseByteBudget: number;
  /**
   * Put each image inline in tool results: whole when it fits the byte budget, else as a preview that does
   * (`SERVER__INLINE_PREVIEW`). `false`: text, resource links and structured content only, and no preview is made.
   * Default `true`.
   */
  inlinePreview?: boolean;
  /** Put the full image as a data URL in `image_url` by default (exceeds the budget knowingly). */
  includeDataUrl: boolean;
  /** Whether `edit_image` accepts local file paths (the engine still restricts them to allowed folders). */
  allowLocalFiles: boolean;
  /** Public base URL for `/images/{id}` links when served over HTTP. */
  publicBaseUrl?: string;
  /** Retention shown in `storage-stats://overview`. */
  retentionDays: number;
  /** Default `wait_seconds` of the image tools (`IMAGES__WAIT_SECONDS`); 45 when unset. */
  defaultWaitSeconds?: number;
}

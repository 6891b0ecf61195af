import { ImageGenError, type ImageGenErrorCode } from '@imagegen/common';

/** What a refusal says: the request field, a sentence, and what would have been accepted. */
export interface RefusalOptions {
  /** The request field at fault, e.g. `quality`, `images[2]`. */
  setting: string;
  /** A sentence a person can act on. */
  message: string;
  /** Accepted values: a list, a `{ min, max }` range, or a structured rule. */
  allowed?: unknown;
  /** More structured facts for `details`. */
  extra?: Record<string, unknown>;
  /** Defaults to `invalid_request`; `invalid_image` for unusable input images. */
  code?: Extract<ImageGenErrorCode, 'invalid_request' | 'invalid_image' | 'model_retired'>;
}

/** Builds the `invalid_request` error every refusal in this folder throws (`details.setting`, `details.allowed`). */
export function invalidRequest(options: RefusalOptions): ImageGenError {
  return new ImageGenError({
    code: options.code ?? 'invalid_request',
    message: options.message,
    details: {
      setting: options.setting,
      ...(options.allowed === undefined ? {} : { allowed: options.allowed }),
      ...options.extra,
    },
  });
}

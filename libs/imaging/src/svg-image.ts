import { ImageGenError } from '@imagegen/common';
import { DOMParser, XMLSerializer, type Element, type Node } from '@xmldom/xmldom';
import sharp from 'sharp';
import { assertWithinByteLimit, assertWithinPixelLimit, resolveImageLimits, type ImageLimits } from './image-limits';

/**
 * SVG output of the image models is untrusted markup: it could carry scripts, event handlers, external references
 * (`href="https://…"`, `url(file:…)`), `<foreignObject>` HTML or entity declarations (XXE, billion laughs). Nothing of
 * that is ever rasterized or stored: the document is parsed without expanding entities, rebuilt from an allow-list
 * of SVG elements and attributes, and only the rebuilt text is kept. librsvg (through sharp) then renders it from a
 * buffer, which gives it no base path to resolve files against.
 */

/** An SVG made safe to store and render. */
export interface SanitizedSvg {
  /** The rebuilt document, UTF-8. */
  data: Buffer;
  /** Width in pixels as rendered at 72 dpi (the SVG's own `width`, or its viewBox). */
  width: number;
  /** Height in pixels as rendered at 72 dpi. */
  height: number;
  /** What was taken out, one short phrase each (`a <script> element`, `an external href`); empty when nothing was. */
  removed: string[];
}

const svgNamespace = 'http://www.w3.org/2000/svg';
const xlinkNamespace = 'http://www.w3.org/1999/xlink';

/** SVG elements that draw, group, define paint or describe; anything else (script, foreignObject, …) is removed. */
const allowedElements = new Set([
  'svg',
  'g',
  'defs',
  'symbol',
  'use',
  'title',
  'desc',
  'metadata',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'pattern',
  'clipPath',
  'mask',
  'marker',
  'filter',
  'feBlend',
  'feColorMatrix',
  'feComponentTransfer',
  'feComposite',
  'feConvolveMatrix',
  'feDiffuseLighting',
  'feDisplacementMap',
  'feDistantLight',
  'feDropShadow',
  'feFlood',
  'feFuncA',
  'feFuncB',
  'feFuncG',
  'feFuncR',
  'feGaussianBlur',
  'feMerge',
  'feMergeNode',
  'feMorphology',
  'feOffset',
  'fePointLight',
  'feSpecularLighting',
  'feSpotLight',
  'feTile',
  'feTurbulence',
  'style',
]);

/** Only fragment references (`#id`) stay: anything else could reach a file or the network. */
const isLocalReference = (value: string): boolean => value.trim().startsWith('#');

/** `url(...)` values other than `url(#id)`, `@import`, and script-ish CSS. */
const externalCss = /url\(\s*(?!['"]?\s*#)|@import|expression\s*\(|javascript:/i;

/** Whether bytes look like an SVG document (text whose first markup is an `<svg` root, after a prolog). */
export function looksLikeSvg(data: Uint8Array): boolean {
  const head = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 4096))
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[\s\S]*?>\s*)*<svg[\s>]/i.test(head);
}

/**
 * Parses and rebuilds an SVG from the allow-list, then measures it.
 *
 * @throws ImageGenError `invalid_image` when the bytes are not a well-formed SVG document, exceed the byte limit, or
 *   declare more pixels than the limit.
 */
export async function sanitizeSvg(data: Uint8Array, limitOverrides?: Partial<ImageLimits>): Promise<SanitizedSvg> {
  const limits = resolveImageLimits(limitOverrides);
  assertWithinByteLimit(data.byteLength, limits, 'The SVG image');
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  const problems: string[] = [];
  let document: ReturnType<DOMParser['parseFromString']> | undefined;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        // Undefined entities are not an error for us: they are left as text, never expanded.
        if (level !== 'warning' && !/entity not found/i.test(message)) problems.push(message);
      },
    }).parseFromString(text, 'image/svg+xml');
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  const root = document?.documentElement ?? null;
  if (document === undefined || problems.length > 0 || root === null || root.localName !== 'svg' || root.namespaceURI !== svgNamespace) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: 'The SVG image is not a well-formed SVG document, so it cannot be stored or shown.',
      details: { problems: problems.slice(0, 3) },
    });
  }
  const removed = new Set<string>();
  if (document.doctype) removed.add('a DOCTYPE (entity declarations)');
  cleanElement(root, removed);
  const rebuilt = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(root)}`, 'utf8');
  const { width, height } = await measureSvg(rebuilt, limits);
  return { data: rebuilt, width, height, removed: [...removed] };
}

/**
 * Renders a (sanitized) SVG to PNG at its own size, or scaled so its long side is `longSide` pixels.
 *
 * @throws ImageGenError `invalid_image` when it cannot be rendered within the limits.
 */
export async function rasterizeSvg(data: Uint8Array, options: { longSide?: number; limits?: Partial<ImageLimits> } = {}): Promise<Buffer> {
  const limits = resolveImageLimits(options.limits);
  const safe = await sanitizeSvg(data, limits);
  const density =
    options.longSide === undefined ? 72 : Math.max(1, Math.min(2400, (72 * options.longSide) / Math.max(safe.width, safe.height)));
  try {
    return await sharp(safe.data, { density, limitInputPixels: limits.maxPixels }).png().toBuffer();
  } catch (error) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: 'The SVG image could not be rendered.',
      cause: error,
    });
  }
}

async function measureSvg(data: Buffer, limits: ImageLimits): Promise<{ width: number; height: number }> {
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(data, { limitInputPixels: false }).metadata());
  } catch (error) {
    throw new ImageGenError({ code: 'invalid_image', message: 'The SVG image could not be read for its size.', cause: error });
  }
  if (!width || !height) throw new ImageGenError({ code: 'invalid_image', message: 'The SVG image has no usable size.' });
  assertWithinPixelLimit(width, height, limits, 'The SVG image');
  return { width, height };
}

function cleanElement(element: Element, removed: Set<string>): void {
  for (const attribute of Array.from(element.attributes)) {
    const name = attribute.name;
    const local = attribute.localName ?? name;
    const value = attribute.value;
    const isHref = local === 'href' && (attribute.namespaceURI === xlinkNamespace || attribute.namespaceURI === null);
    if (/^on/i.test(local)) {
      element.removeAttribute(name);
      removed.add('an event handler attribute');
    } else if (isHref && !isLocalReference(value)) {
      element.removeAttribute(name);
      removed.add('an external href');
    } else if (externalCss.test(value)) {
      element.removeAttribute(name);
      removed.add('an external url() reference');
    } else if ((local === 'attributeName' || local === 'attributeType') && /href|^on/i.test(value)) {
      element.removeAttribute(name);
      removed.add('an animation of a reference');
    }
  }
  for (const child of Array.from(element.childNodes) as Node[]) {
    switch (child.nodeType) {
      case child.ELEMENT_NODE: {
        const childElement = child as Element;
        if (childElement.namespaceURI !== svgNamespace || !allowedElements.has(childElement.localName ?? '')) {
          element.removeChild(child);
          removed.add(`a <${childElement.localName ?? childElement.nodeName}> element`);
        } else if (childElement.localName === 'style' && externalCss.test(childElement.textContent ?? '')) {
          element.removeChild(child);
          removed.add('a stylesheet with external references');
        } else {
          cleanElement(childElement, removed);
        }
        break;
      }
      case child.PROCESSING_INSTRUCTION_NODE:
        element.removeChild(child);
        removed.add('a processing instruction');
        break;
      case child.ENTITY_REFERENCE_NODE:
        element.removeChild(child);
        removed.add('an entity reference');
        break;
      default:
        break;
    }
  }
}

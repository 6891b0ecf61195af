import { connectToHost, describeFailure } from '../shared/host-connection';
import { element, formatBytes, formatDate } from '../shared/format';
import {
  GalleryError,
  hostBackend,
  httpBackend,
  parseListing,
  type GalleryBackend,
  type GalleryEntry,
  type GalleryFilter,
} from './gallery-backend';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusBox = byId<HTMLElement>('status');
const errorBox = byId<HTMLElement>('error');
const grid = byId<HTMLUListElement>('grid');
const filters = byId<HTMLFormElement>('filters');
const textInput = byId<HTMLInputElement>('filter-text');
const modelSelect = byId<HTMLSelectElement>('filter-model');
const fromInput = byId<HTMLInputElement>('filter-from');
const toInput = byId<HTMLInputElement>('filter-to');
const viewer = byId<HTMLDialogElement>('viewer');
const viewerTitle = byId<HTMLElement>('viewer-title');
const viewerImage = byId<HTMLImageElement>('viewer-image');
const viewerDetails = byId<HTMLElement>('viewer-details');
const confirmDialog = byId<HTMLDialogElement>('confirm');
const confirmText = byId<HTMLElement>('confirm-text');
const tokenForm = byId<HTMLFormElement>('token-form');

let backend: GalleryBackend;
let listingRequest = 0;
let opened: { entry: GalleryEntry; opener: HTMLElement } | undefined;
const imageUrls = new Map<string, string>();

const currentFilter = (): GalleryFilter => ({
  text: textInput.value.trim(),
  model: modelSelect.value,
  from: fromInput.value,
  to: toInput.value,
});

function showError(error: unknown, action: string): void {
  statusBox.textContent = '';
  if (error instanceof GalleryError) {
    errorBox.textContent = error.message;
    if (error.needsToken) tokenForm.hidden = false;
  } else {
    errorBox.textContent = describeFailure(error, action);
  }
}

async function imageUrl(entry: GalleryEntry): Promise<string> {
  const known = imageUrls.get(entry.image_id);
  if (known) return known;
  const url = URL.createObjectURL(await backend.image(entry));
  imageUrls.set(entry.image_id, url);
  return url;
}

function setModels(models: string[]): void {
  const chosen = modelSelect.value;
  const options = [element('option', { value: '' }, 'Any model'), ...models.map((model) => element('option', { value: model }, model))];
  modelSelect.replaceChildren(...options);
  modelSelect.value = models.includes(chosen) ? chosen : '';
}

function renderListing(listing: ReturnType<typeof parseListing>): void {
  setModels(listing.models);
  grid.replaceChildren();
  statusBox.textContent =
    listing.total_count === 0
      ? 'No images match.'
      : `${listing.total_count} image${listing.total_count === 1 ? '' : 's'}${listing.images.length < listing.total_count ? `, newest ${listing.images.length} shown` : ''}.`;
  const thumbnails: Array<() => Promise<void>> = [];
  for (const entry of listing.images) {
    const frame = element('span', { class: 'thumb-frame' }, element('span', { class: 'spinner', 'aria-hidden': 'true' }));
    const button = element(
      'button',
      { type: 'button', class: 'thumb', 'aria-label': `Open ${entry.prompt || entry.image_id}` },
      frame,
      element('span', { class: 'caption' }, entry.prompt || entry.image_id),
      element('span', { class: 'caption muted' }, `${entry.model} · ${formatDate(entry.created_at)}`),
    );
    button.addEventListener('click', () => void openImage(entry, button));
    grid.append(element('li', { 'data-image-id': entry.image_id }, button));
    thumbnails.push(async () => {
      try {
        frame.replaceChildren(element('img', { src: await imageUrl(entry), alt: '', loading: 'lazy' }));
      } catch {
        frame.replaceChildren(element('span', { class: 'muted' }, 'Not available'));
      }
    });
  }
  // A few at a time: each is a full image read through the host or the server.
  void (async () => {
    const queue = [...thumbnails];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await next();
      }),
    );
  })();
}

async function refresh(): Promise<void> {
  const request = (listingRequest += 1);
  errorBox.textContent = '';
  statusBox.replaceChildren(element('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading…');
  try {
    const listing = await backend.list(currentFilter());
    // Typing fast starts several requests: only the newest one is shown.
    if (request === listingRequest) renderListing(listing);
  } catch (error) {
    if (request === listingRequest) showError(error, 'list the images');
  }
}

async function openImage(entry: GalleryEntry, opener: HTMLElement): Promise<void> {
  opened = { entry, opener };
  viewerTitle.textContent = entry.prompt || entry.image_id;
  viewerDetails.textContent = `${entry.image_id} · ${entry.model} · ${formatDate(entry.created_at)} · ${entry.format.toUpperCase()} · ${formatBytes(entry.file_size_bytes)}`;
  viewerImage.alt = entry.prompt;
  viewerImage.removeAttribute('src');
  viewer.showModal();
  try {
    viewerImage.src = await imageUrl(entry);
  } catch (error) {
    viewerDetails.textContent = describeFailure(error, 'load the image');
  }
}

function closeViewer(): void {
  viewer.close();
}

async function confirmDelete(): Promise<void> {
  if (!opened) return;
  const { entry } = opened;
  confirmText.textContent = `Delete ${entry.image_id} (“${entry.prompt}”)? The file and its metadata are removed; this cannot be undone.`;
  confirmDialog.showModal();
}

async function deleteOpened(): Promise<void> {
  if (!opened) return;
  const { entry } = opened;
  confirmDialog.close();
  try {
    await backend.remove(entry);
    const url = imageUrls.get(entry.image_id);
    if (url) URL.revokeObjectURL(url);
    imageUrls.delete(entry.image_id);
    closeViewer();
    grid.querySelector(`li[data-image-id="${CSS.escape(entry.image_id)}"]`)?.remove();
    opened = undefined;
    await refresh();
    statusBox.textContent = `Deleted ${entry.image_id}. ${statusBox.textContent}`;
    (grid.querySelector('button') ?? textInput).focus();
  } catch (error) {
    showError(error, `delete ${entry.image_id}`);
  }
}

function bindControls(): void {
  let typing: ReturnType<typeof setTimeout> | undefined;
  filters.addEventListener('input', (event) => {
    clearTimeout(typing);
    typing = setTimeout(() => void refresh(), event.target === textInput ? 250 : 0);
  });
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });
  byId('viewer-close').addEventListener('click', closeViewer);
  byId('viewer-delete').addEventListener('click', () => void confirmDelete());
  byId('confirm-delete').addEventListener('click', () => void deleteOpened());
  byId('confirm-cancel').addEventListener('click', () => confirmDialog.close());
  // Focus goes back where it was when the viewer closes (Escape included).
  viewer.addEventListener('close', () => opened?.opener.focus());
}

async function start(): Promise<void> {
  bindControls();
  if (window.parent === window) {
    // A page of the HTTP server: /gallery, next to /images and /gallery/api.
    const base = new URL(location.href);
    base.pathname = base.pathname.replace(/gallery\/?$/, '');
    base.search = base.hash = '';
    const http = httpBackend(base);
    backend = http;
    tokenForm.addEventListener('submit', (event) => {
      event.preventDefault();
      http.setToken(byId<HTMLInputElement>('token').value.trim());
      tokenForm.hidden = true;
      void refresh();
    });
    await refresh();
    return;
  }
  let shown = false;
  const showToolResult = (structured: unknown) => {
    shown = true;
    renderListing(parseListing(structured));
    // A history result (get_image_history) carries no model list for the filter: ask for the gallery listing itself.
    if (!Array.isArray((structured as { models?: unknown } | undefined)?.models)) void refresh();
  };
  let pending: unknown;
  const app = await connectToHost('imagegen gallery', (created) => {
    created.ontoolresult = (params) => {
      if (backend) showToolResult(params.structuredContent);
      else pending = params.structuredContent;
    };
  });
  backend = hostBackend(app);
  if (pending !== undefined) showToolResult(pending);
  // Opened without a tool result (a host showing the view on its own): list the gallery after a moment.
  setTimeout(() => {
    if (!shown) void refresh();
  }, 2000);
}

start().catch((error: unknown) => showError(error, 'open the gallery'));

import type { App } from '@modelcontextprotocol/ext-apps';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { blobToBase64, connectToHost, describeFailure, readImageThroughHost, toolErrorText } from '../shared/host-connection';
import { element, formatBytes, formatUsd } from '../shared/format';
import { parseJobState, parsePartialPreview, type ImageResultView, type ImageVariant } from './image-result';
import { MaskEditor } from './mask-editor';

const jobPollMs = 1500;
/** Partial images the view's own edits ask for: rough previews while the model works (about 100 output tokens each). */
const viewPartialImages = 2;
const jobPollLimitMs = 15 * 60_000;

const statusBox = document.getElementById('status') as HTMLElement;
const errorBox = document.getElementById('error') as HTMLElement;
const detailsBox = document.getElementById('details') as HTMLElement;
const resultsBox = document.getElementById('results') as HTMLElement;
const editorSlot = document.getElementById('editor-slot') as HTMLElement;

let app: App;
let editor: MaskEditor | undefined;
let progressTimer: ReturnType<typeof setInterval> | undefined;
/** What the editor needs to know per model, from list_available_models (asked once, when the editor first opens). */
interface ModelFacts {
  markup: boolean;
  partialImages: number;
}
let modelFacts: Promise<Map<string, ModelFacts>> | undefined;
const partialBox = element('figure', { class: 'partial', 'aria-live': 'polite', hidden: '' });
statusBox.after(partialBox);

/** Shows the newest partial image of a running job: a rough preview that the finished image replaces. */
function showPartial(data: string, mimeType: string, received: number): void {
  const image = element('img', { src: `data:${mimeType};base64,${data}`, alt: `Rough preview ${received} of the image being made` });
  partialBox.replaceChildren(image, element('figcaption', {}, `Rough preview ${received}: the finished image follows.`));
  partialBox.hidden = false;
}

function hidePartial(): void {
  partialBox.hidden = true;
  partialBox.replaceChildren();
}
/** Blob URLs of the images shown, by image id, for the editor and downloads. */
const loaded = new Map<string, { url: string; blob: Blob; variant: ImageVariant; result: ImageResultView }>();

function showProgress(text: string): void {
  stopProgress();
  const started = Date.now();
  const render = () => {
    statusBox.replaceChildren(
      element('span', { class: 'spinner', 'aria-hidden': 'true' }),
      `${text} (${Math.round((Date.now() - started) / 1000)} s)`,
    );
  };
  render();
  progressTimer = setInterval(render, 1000);
}

function stopProgress(text = ''): void {
  if (progressTimer) clearInterval(progressTimer);
  progressTimer = undefined;
  statusBox.textContent = text;
}

function showError(text: string): void {
  stopProgress();
  errorBox.textContent = text;
}

function renderDetails(result: ImageResultView): void {
  const rows: Array<[string, string]> = [
    ['Model', result.model],
    ['Size', result.size],
    ...(result.costUsd === undefined
      ? []
      : ([
          [
            'Cost',
            `${formatUsd(result.costUsd)}${result.costIsEstimate ? ' (estimate)' : ''}${result.fromCache ? ' — from cache, no new cost' : ''}`,
          ],
        ] as Array<[string, string]>)),
    ['Prompt', result.prompt],
  ];
  const list = element('dl', {});
  for (const [term, value] of rows) list.append(element('dt', {}, term), element('dd', {}, value));
  const warnings = result.warnings.length
    ? element('ul', { class: 'warnings', 'aria-label': 'Warnings' }, ...result.warnings.map((warning) => element('li', {}, warning)))
    : undefined;
  detailsBox.replaceChildren(element('div', { class: 'details' }, list, warnings));
}

async function chooseVariant(variant: ImageVariant, result: ImageResultView, card: HTMLElement): Promise<void> {
  for (const other of resultsBox.querySelectorAll('.variant')) other.classList.remove('chosen');
  card.classList.add('chosen');
  const sentence = `The user chose image ${variant.imageId} (${variant.resourceUri}, ${variant.width}x${variant.height}) from the ${result.images.length} variants of "${result.prompt}".`;
  try {
    const capabilities = app.getHostCapabilities();
    if (capabilities?.updateModelContext) await app.updateModelContext({ content: [{ type: 'text', text: sentence }] });
    if (capabilities?.message) {
      await app.sendMessage({ role: 'user', content: [{ type: 'text', text: `Use image ${variant.imageId}.` }] });
    }
    stopProgress(
      capabilities?.updateModelContext || capabilities?.message
        ? `Chose ${variant.imageId}; the assistant has been told.`
        : `Chose ${variant.imageId}. This host cannot pass the choice on; mention ${variant.imageId} in the chat.`,
    );
  } catch (error) {
    showError(describeFailure(error, 'pass the choice on to the host'));
  }
}

async function download(variant: ImageVariant): Promise<void> {
  const image = loaded.get(variant.imageId);
  if (!image) return;
  const extension = variant.format.toLowerCase() === 'jpeg' ? 'jpg' : variant.format.toLowerCase();
  try {
    if (app.getHostCapabilities()?.downloadFile) {
      const result = await app.downloadFile({
        contents: [
          {
            type: 'resource',
            resource: { uri: variant.resourceUri, mimeType: image.blob.type, blob: await blobToBase64(image.blob) },
          },
        ],
      });
      if (result.isError) showError('The host did not save the file.');
      return;
    }
    // Hosts without downloads: an ordinary link to the original bytes (sandboxes may still refuse it).
    const link = element('a', { href: image.url, download: `${variant.imageId}.${extension}` });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    showError(describeFailure(error, 'download the image'));
  }
}

type ListedCapabilities = { markup_edits?: boolean; partial_images?: number };
type Listing = { providers?: Record<string, { models?: Record<string, { capabilities?: ListedCapabilities }> }> };

/** Markup edits and partial images per model, as the listing shows them; empty when the host cannot ask. */
function factsOfModels(): Promise<Map<string, ModelFacts>> {
  modelFacts ??= app
    .callServerTool({ name: 'list_available_models', arguments: { include_retired: false } })
    .then((listed) => {
      const found = new Map<string, ModelFacts>();
      for (const provider of Object.values((listed.structuredContent as Listing | undefined)?.providers ?? {})) {
        for (const [id, model] of Object.entries(provider.models ?? {})) {
          found.set(id, { markup: model.capabilities?.markup_edits === true, partialImages: model.capabilities?.partial_images ?? 0 });
        }
      }
      return found;
    })
    .catch(() => new Map<string, ModelFacts>());
  return modelFacts;
}

async function openEditor(variant: ImageVariant, result: ImageResultView, source: HTMLImageElement, card: HTMLElement): Promise<void> {
  closeEditor();
  const facts = (await factsOfModels()).get(result.model);
  editor = new MaskEditor(
    source,
    (request) => void runMaskedEdit(variant, result, request.instruction, request, card, facts?.partialImages ?? 0),
    () => closeEditor(),
    { markup: facts?.markup ?? false },
  );
  editorSlot.replaceChildren(editor.root);
  editor.focus();
}

function closeEditor(): void {
  editor = undefined;
  editorSlot.replaceChildren();
}

async function runMaskedEdit(
  variant: ImageVariant,
  result: ImageResultView,
  instruction: string,
  drawn: { kind: 'mask' | 'markup'; dataUrl: string },
  sourceCard: HTMLElement,
  modelPartialImages: number,
) {
  errorBox.textContent = '';
  editor?.setBusy(true, drawn.kind === 'markup' ? 'Editing as drawn…' : 'Editing the painted area…');
  showProgress(`Editing ${variant.imageId}`);
  try {
    // wait_seconds 0: the answer is the running job at once, so its partial images can be shown while it works.
    const edited = await app.callServerTool({
      name: 'edit_image',
      arguments: {
        image: variant.imageId,
        [drawn.kind]: drawn.dataUrl,
        prompt: instruction,
        size: `${variant.width}x${variant.height}`,
        ...(modelPartialImages > 0 ? { partial_images: Math.min(viewPartialImages, modelPartialImages) } : {}),
        wait_seconds: 0,
        ...(result.model && result.model !== 'unknown model' ? { model: result.model } : {}),
      },
    });
    const state = await settle(edited);
    if (!state) return;
    stopProgress(`Edited: the new image is beside ${variant.imageId}.`);
    await renderImages(state, { editOf: variant.imageId, after: sourceCard });
  } catch (error) {
    showError(describeFailure(error, 'edit the image'));
  } finally {
    editor?.setBusy(false);
  }
}

/** Follows a result to its images: straight away, or by asking get_generation until a long job ends. */
async function settle(result: CallToolResult): Promise<ImageResultView | undefined> {
  if (result.isError) {
    showError(toolErrorText(result, 'The server reported an error.'));
    return undefined;
  }
  let state = parseJobState(result.structuredContent);
  const started = Date.now();
  let shownPartials = 0;
  let latest: CallToolResult = result;
  while (state?.kind === 'running') {
    showProgress(state.message ?? `Job ${state.jobId} is running`);
    const partial = parsePartialPreview(latest);
    if (partial && partial.received > shownPartials) {
      shownPartials = partial.received;
      showPartial(partial.data, partial.mimeType, partial.received);
    }
    if (Date.now() - started > jobPollLimitMs) {
      showError(`Job ${state.jobId} is still running after ${Math.round(jobPollLimitMs / 60000)} minutes; ask for it again later.`);
      return undefined;
    }
    // A short pause between polls; each poll waits on the server until the job ends or its next partial image arrives.
    await new Promise((resolve) => setTimeout(resolve, shownPartials > 0 ? 100 : jobPollMs));
    const polled = await app.callServerTool({ name: 'get_generation', arguments: { job_id: state.jobId, return_on_partial: true } });
    if (polled.isError) {
      hidePartial();
      showError(toolErrorText(polled, `Could not follow job ${state.jobId}.`));
      return undefined;
    }
    latest = polled;
    state = parseJobState(polled.structuredContent);
  }
  hidePartial();
  if (state?.kind === 'failed') {
    showError(state.message);
    return undefined;
  }
  if (!state) {
    showError(toolErrorText(result, 'The result has no image to show.'));
    return undefined;
  }
  return state.result;
}

async function renderImages(result: ImageResultView, placement: { editOf?: string; after?: HTMLElement } = {}): Promise<void> {
  if (!placement.editOf) {
    renderDetails(result);
    resultsBox.replaceChildren();
  }
  resultsBox.classList.toggle('single', result.images.length === 1 && !placement.editOf && resultsBox.children.length === 0);
  let anchor = placement.after;
  for (const [index, variant] of result.images.entries()) {
    const card = element('figure', { class: 'variant', 'data-image-id': variant.imageId });
    const frame = element(
      'div',
      { class: 'frame' },
      element('span', { class: 'spinner', 'aria-hidden': 'true' }),
      'Loading the full image…',
    );
    card.append(frame);
    if (anchor) anchor.after(card);
    else resultsBox.append(card);
    anchor = card;
    try {
      const blob = await readImageThroughHost(app, variant.resourceUri);
      const url = URL.createObjectURL(blob);
      loaded.set(variant.imageId, { url, blob, variant, result });
      const label = placement.editOf
        ? `Edit of ${placement.editOf}: ${result.prompt}`
        : `${result.images.length > 1 ? `Variant ${index + 1} of ${result.images.length}: ` : ''}${result.prompt}`;
      const image = element('img', {
        src: url,
        alt: label,
        width: String(variant.width),
        height: String(variant.height),
        class: result.images.length === 1 ? 'actual-size' : undefined,
      });
      await image.decode().catch(() => undefined);
      frame.replaceChildren(image);
      const actions = element('div', { class: 'row' });
      if (result.images.length > 1) {
        const choose = element('button', { type: 'button', class: 'primary' }, 'Use this one');
        choose.addEventListener('click', () => void chooseVariant(variant, result, card));
        actions.append(choose);
      }
      const edit = element('button', { type: 'button' }, 'Edit a region…');
      edit.addEventListener('click', () => void openEditor(variant, result, image, card));
      const save = element('button', { type: 'button' }, 'Download original');
      save.addEventListener('click', () => void download(variant));
      actions.append(edit, save);
      card.append(
        element(
          'figcaption',
          {},
          placement.editOf ? element('span', { class: 'edit-of' }, `Edit of ${placement.editOf}. `) : undefined,
          `${variant.imageId} · ${variant.width}×${variant.height} ${variant.format} · ${formatBytes(variant.bytes)}`,
        ),
        actions,
      );
    } catch (error) {
      frame.replaceChildren(element('p', { class: 'error' }, describeFailure(error, `load ${variant.imageId}`)));
    }
  }
}

async function start(): Promise<void> {
  app = await connectToHost('imagegen image view', (created) => {
    created.ontoolinput = (params) => {
      errorBox.textContent = '';
      const prompt = typeof params.arguments?.['prompt'] === 'string' ? params.arguments['prompt'] : '';
      showProgress(prompt ? `Making “${prompt.slice(0, 80)}${prompt.length > 80 ? '…' : ''}”` : 'Working');
    };
    created.ontoolresult = (params) => {
      void (async () => {
        const result = await settle(params as CallToolResult);
        if (!result) return;
        stopProgress(result.fromCache ? 'Served from the cache: no new cost.' : '');
        await renderImages(result);
      })().catch((error: unknown) => showError(describeFailure(error, 'show the result')));
    };
    created.ontoolcancelled = (params) => showError(`Cancelled${params.reason ? `: ${params.reason}` : '.'}`);
    created.onteardown = async () => {
      for (const image of loaded.values()) URL.revokeObjectURL(image.url);
      return {};
    };
  });
}

start().catch((error: unknown) => showError(describeFailure(error, 'connect to the host')));

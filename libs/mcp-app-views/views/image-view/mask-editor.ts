import { element } from '../shared/format';
import { invertPaint, markupPixelsFromPaint, maskPixelsFromPaint, paintedPixelCount } from './mask-pixels';

const paintColour: readonly [number, number, number] = [255, 0, 80];
const undoDepth = 30;

/** What the person asked for when they apply the editor. */
export interface MaskedEditRequest {
  /** The instruction typed. */
  instruction: string;
  /**
   * `mask`: the painted area is where the model may change the image. `markup`: the drawing itself (arrows, circles,
   * notes) is laid over the image to show the model what to change, on models with markup edits.
   */
  kind: 'mask' | 'markup';
  /**
   * A `data:image/png;base64,…` URL at the image's size: the mask (transparent = edit here) or the markup overlay
   * (the drawing opaque, the rest transparent).
   */
  dataUrl: string;
}

/** What the editor offers. */
export interface MaskEditorOptions {
  /** Whether the model takes markup overlays: then a switch chooses between painting an area and drawing markup. */
  markup?: boolean;
}

/**
 * The mask editor: a paint layer at the image's full resolution laid over the image, with brush, eraser, size,
 * undo, invert and clear, by pointer or keyboard (arrow keys move the brush, Space paints, Shift+arrows paint while
 * moving). It hands the instruction and the mask to `onApply`.
 */
export class MaskEditor {
  readonly root: HTMLElement;
  private readonly paint: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly cursor: HTMLElement;
  private readonly sizeInput: HTMLInputElement;
  private readonly instruction: HTMLTextAreaElement;
  private readonly applyButton: HTMLButtonElement;
  private readonly message: HTMLElement;
  private readonly toolButtons: Record<'brush' | 'eraser', HTMLButtonElement>;
  private tool: 'brush' | 'eraser' = 'brush';
  private mode: 'mask' | 'markup' = 'mask';
  private readonly history: ImageData[] = [];
  private lastPoint: { x: number; y: number } | undefined;
  private keyboardPoint: { x: number; y: number };

  constructor(
    private readonly image: HTMLImageElement,
    private readonly onApply: (request: MaskedEditRequest) => void,
    private readonly onClose: () => void,
    options: MaskEditorOptions = {},
  ) {
    const width = image.naturalWidth;
    const height = image.naturalHeight;
    this.keyboardPoint = { x: width / 2, y: height / 2 };
    this.paint = element('canvas', {
      class: 'mask-paint',
      tabindex: '0',
      'aria-label': 'Mask: paint the area to change. Arrow keys move the brush, Space paints, Shift+arrows paint while moving.',
      'data-testid': 'mask-canvas',
    });
    this.paint.width = width;
    this.paint.height = height;
    const context = this.paint.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('This browser cannot draw on a canvas.');
    this.context = context;
    this.cursor = element('div', { class: 'mask-cursor', 'aria-hidden': 'true' });
    const underlay = element('img', { src: image.src, alt: '', class: 'mask-underlay', width: String(width), height: String(height) });
    const stage = element('div', { class: 'mask-stage' }, underlay, this.paint, this.cursor);

    this.toolButtons = {
      brush: element('button', { type: 'button', 'aria-pressed': 'true', title: 'Brush (B)' }, 'Brush'),
      eraser: element('button', { type: 'button', 'aria-pressed': 'false', title: 'Eraser (E)' }, 'Eraser'),
    };
    this.toolButtons.brush.addEventListener('click', () => this.setTool('brush'));
    this.toolButtons.eraser.addEventListener('click', () => this.setTool('eraser'));
    this.sizeInput = element('input', {
      type: 'range',
      min: '2',
      max: String(Math.max(8, Math.round(Math.max(width, height) / 4))),
      value: String(Math.max(4, Math.round(Math.max(width, height) / 24))),
      'aria-label': 'Brush size in pixels',
    });
    const sizeLabel = element('label', { class: 'row' }, 'Size ', this.sizeInput);
    const undo = element('button', { type: 'button', title: 'Undo (Ctrl+Z)' }, 'Undo');
    undo.addEventListener('click', () => this.undo());
    const invert = element('button', { type: 'button', title: 'Invert (I)' }, 'Invert');
    invert.addEventListener('click', () => this.invert());
    const clear = element('button', { type: 'button' }, 'Clear');
    clear.addEventListener('click', () => this.clear());
    const modeSwitch = options.markup ? this.modeSwitch(invert) : undefined;
    const tools = element(
      'div',
      { class: 'row mask-tools', role: 'toolbar', 'aria-label': 'Mask tools' },
      this.toolButtons.brush,
      this.toolButtons.eraser,
      sizeLabel,
      undo,
      invert,
      clear,
    );

    this.instruction = element('textarea', {
      rows: '2',
      'aria-label': 'Edit instruction',
      placeholder: 'What should change inside the painted area?',
    });
    this.applyButton = element('button', { type: 'button', class: 'primary' }, 'Apply edit');
    this.applyButton.addEventListener('click', () => this.apply());
    const cancel = element('button', { type: 'button' }, 'Close editor');
    cancel.addEventListener('click', () => this.onClose());
    this.message = element('p', { class: 'muted', 'aria-live': 'polite' });
    this.root = element(
      'section',
      { class: 'mask-editor', 'aria-label': 'Mask editor' },
      element('h2', {}, 'Edit a region'),
      modeSwitch,
      tools,
      stage,
      element('label', { class: 'instruction' }, 'Instruction', this.instruction),
      element('div', { class: 'row' }, this.applyButton, cancel),
      this.message,
    );
    this.bindPointer();
    this.bindKeyboard();
    this.bindResize();
  }

  /** Two radio buttons: paint the area to change (mask), or draw the change on the image (markup). */
  private modeSwitch(invert: HTMLButtonElement): HTMLElement {
    const choice = (mode: 'mask' | 'markup', label: string) => {
      const input = element('input', { type: 'radio', name: 'edit-mode', value: mode, ...(mode === 'mask' ? { checked: '' } : {}) });
      input.addEventListener('change', () => {
        if (!input.checked) return;
        this.mode = mode;
        // Inverting a drawing means nothing: only a mask has an inside and an outside.
        invert.disabled = mode === 'markup';
        this.instruction.placeholder =
          mode === 'markup'
            ? 'What should the model do where you drew? (e.g. "put a hat where the circle is")'
            : 'What should change inside the painted area?';
      });
      return element('label', {}, input, ` ${label}`);
    };
    return element(
      'fieldset',
      { class: 'row edit-mode' },
      element('legend', {}, 'How to show the change'),
      choice('mask', 'Paint the area to change'),
      choice('markup', 'Draw on the image (markup)'),
    );
  }

  /** Puts the keyboard focus on the paint layer. */
  focus(): void {
    this.paint.focus();
  }

  /** Shows whether an edit is running (the apply button is disabled meanwhile). */
  setBusy(busy: boolean, text = ''): void {
    this.applyButton.disabled = busy;
    this.message.textContent = text;
  }

  private get brushRadius(): number {
    return Number(this.sizeInput.value) / 2;
  }

  private setTool(tool: 'brush' | 'eraser'): void {
    this.tool = tool;
    this.toolButtons.brush.setAttribute('aria-pressed', String(tool === 'brush'));
    this.toolButtons.eraser.setAttribute('aria-pressed', String(tool === 'eraser'));
  }

  private remember(): void {
    this.history.push(this.context.getImageData(0, 0, this.paint.width, this.paint.height));
    if (this.history.length > undoDepth) this.history.shift();
  }

  private undo(): void {
    const previous = this.history.pop();
    if (previous) this.context.putImageData(previous, 0, 0);
  }

  private invert(): void {
    this.remember();
    const data = this.context.getImageData(0, 0, this.paint.width, this.paint.height);
    invertPaint(data.data, paintColour);
    this.context.putImageData(data, 0, 0);
  }

  private clear(): void {
    this.remember();
    this.context.clearRect(0, 0, this.paint.width, this.paint.height);
  }

  /** A stroke segment from the last point (or a dab), in image pixels. */
  private stroke(to: { x: number; y: number }): void {
    const context = this.context;
    context.globalCompositeOperation = this.tool === 'eraser' ? 'destination-out' : 'source-over';
    context.strokeStyle = context.fillStyle = `rgb(${paintColour.join(',')})`;
    context.lineWidth = this.brushRadius * 2;
    context.lineCap = context.lineJoin = 'round';
    const from = this.lastPoint ?? to;
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
    context.beginPath();
    context.arc(to.x, to.y, this.brushRadius, 0, Math.PI * 2);
    context.fill();
    this.lastPoint = to;
  }

  private toImagePoint(event: PointerEvent): { x: number; y: number } {
    const box = this.paint.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * this.paint.width,
      y: ((event.clientY - box.top) / box.height) * this.paint.height,
    };
  }

  private bindPointer(): void {
    this.paint.addEventListener('pointerdown', (event) => {
      this.paint.setPointerCapture(event.pointerId);
      this.remember();
      this.lastPoint = undefined;
      this.stroke(this.toImagePoint(event));
      event.preventDefault();
    });
    this.paint.addEventListener('pointermove', (event) => {
      this.moveCursor(this.toImagePoint(event));
      if (this.paint.hasPointerCapture(event.pointerId)) this.stroke(this.toImagePoint(event));
    });
    const end = (event: PointerEvent) => {
      if (this.paint.hasPointerCapture(event.pointerId)) this.paint.releasePointerCapture(event.pointerId);
      this.lastPoint = undefined;
    };
    this.paint.addEventListener('pointerup', end);
    this.paint.addEventListener('pointercancel', end);
  }

  private bindKeyboard(): void {
    const steps: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    this.root.addEventListener('keydown', (event) => {
      if (event.target === this.instruction) return;
      const key = event.key;
      if ((event.ctrlKey || event.metaKey) && key.toLowerCase() === 'z') {
        this.undo();
      } else if (key === 'b' || key === 'B') {
        this.setTool('brush');
      } else if (key === 'e' || key === 'E') {
        this.setTool('eraser');
      } else if (key === 'i' || key === 'I') {
        this.invert();
      } else if (key === '[' || key === ']') {
        const change = Math.max(1, Math.round(Number(this.sizeInput.value) / 8)) * (key === '[' ? -1 : 1);
        this.sizeInput.value = String(Number(this.sizeInput.value) + change);
      } else if (event.target === this.paint && steps[key]) {
        const [dx, dy] = steps[key] as [number, number];
        const step = this.brushRadius;
        const next = {
          x: Math.min(this.paint.width, Math.max(0, this.keyboardPoint.x + dx * step)),
          y: Math.min(this.paint.height, Math.max(0, this.keyboardPoint.y + dy * step)),
        };
        if (event.shiftKey) {
          if (this.lastPoint === undefined) this.remember();
          this.lastPoint ??= this.keyboardPoint;
          this.stroke(next);
        } else {
          this.lastPoint = undefined;
        }
        this.keyboardPoint = next;
        this.moveCursor(next);
      } else if (event.target === this.paint && (key === ' ' || key === 'Enter')) {
        this.remember();
        this.lastPoint = undefined;
        this.stroke(this.keyboardPoint);
        this.lastPoint = undefined;
      } else {
        return;
      }
      event.preventDefault();
    });
    this.paint.addEventListener('focus', () => this.moveCursor(this.keyboardPoint));
  }

  /** Keeps the brush outline (drawn in screen pixels) in step when the layout changes width. */
  private bindResize(): void {
    new ResizeObserver(() => this.moveCursor(this.keyboardPoint)).observe(this.paint);
  }

  private moveCursor(point: { x: number; y: number }): void {
    const scale = this.paint.clientWidth / this.paint.width || 1;
    const diameter = this.brushRadius * 2 * scale;
    Object.assign(this.cursor.style, {
      width: `${diameter}px`,
      height: `${diameter}px`,
      left: `${point.x * scale - diameter / 2}px`,
      top: `${point.y * scale - diameter / 2}px`,
    });
  }

  private apply(): void {
    const instruction = this.instruction.value.trim();
    const painted = this.context.getImageData(0, 0, this.paint.width, this.paint.height);
    if (paintedPixelCount(painted.data) === 0) {
      this.message.textContent = 'Paint the area to change first (brush, or Space with the arrow keys).';
      this.paint.focus();
      return;
    }
    if (!instruction) {
      this.message.textContent = 'Type what should change in the painted area.';
      this.instruction.focus();
      return;
    }
    const canvas = element('canvas');
    canvas.width = this.paint.width;
    canvas.height = this.paint.height;
    const maskContext = canvas.getContext('2d');
    if (!maskContext) throw new Error('This browser cannot draw on a canvas.');
    const pixels = this.mode === 'markup' ? markupPixelsFromPaint(painted.data, paintColour) : maskPixelsFromPaint(painted.data);
    maskContext.putImageData(new ImageData(pixels, canvas.width, canvas.height), 0, 0);
    this.onApply({ instruction, kind: this.mode, dataUrl: canvas.toDataURL('image/png') });
  }

  /** The image this editor paints over. */
  get source(): HTMLImageElement {
    return this.image;
  }
}

import type { RequestPlan } from '@imagegen/providers';
import type { ImageStore } from '@imagegen/storage';
import type { CostLedger } from '../cost/cost-ledger';

/** What the checks before a paid call look at. */
export interface PreflightContext {
  store: ImageStore;
  ledger: CostLedger;
}

/** Room for the metadata sidecar and file-system slack per image. */
const sidecarAllowanceBytes = 64 * 1024;
/** The pixel count assumed for `size: auto` (the largest auto size current models pick). */
const autoSizePixels = 2048 * 2048;

/**
 * The most bytes the request's images can take on disk: uncompressed RGBA of the final size, per image. Encoded
 * images are smaller, so a request that passes this check has room for what it produces.
 */
export function expectedImageBytes(plan: RequestPlan): number {
  const size = plan.finalSize === 'auto' ? plan.call.size : plan.finalSize;
  const pixels = size === 'auto' ? autoSizePixels : size.width * size.height;
  return plan.totalImages * (pixels * 4 + sidecarAllowanceBytes);
}

/**
 * Step: everything knowable before paying is checked before paying — the storage folder can be written and keeps its
 * reserve free after this request's images, and the ledger can be written. (The budget is checked when the call is
 * recorded as started, in the same step that holds its money.) Rejects with `storage_failed` saying what to fix.
 */
export async function preflight(plan: RequestPlan, context: PreflightContext): Promise<void> {
  // Both checks at once (each is a few file-system round trips the request waits for); when both fail, the storage
  // problem is the one reported, as when they ran one after the other.
  const [storage, ledger] = await Promise.allSettled([
    context.store.checkCanSave?.(expectedImageBytes(plan)),
    context.ledger.ensureWritable(),
  ]);
  if (storage.status === 'rejected') throw storage.reason;
  if (ledger.status === 'rejected') throw ledger.reason;
}

import { setTimeout as delay } from 'node:timers/promises';
import { ImageGenError, toImageGenError, type ImageGenErrorCode, type Logger } from '@imagegen/common';
import type { FlightOutcome, ProducingFlight, SharedFlights } from '@imagegen/cache';
import type { ImageStore } from '@imagegen/storage';
import type { ImageResult, ProgressEvent } from '../engine/engine-types';
import { resultFromSummary, summarizeResult, type CachedGeneration } from './cached-generation';
import { newJobId } from './generation-jobs';

/** What the cross-replica steps need. */
export interface SharedFlightContext {
  flights: SharedFlights<CachedGeneration>;
  store: ImageStore;
  log: Logger;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

/** What {@link claimSharedFlight} decided. */
export type SharedFlightDecision =
  /** This replica makes the request; `flight` (absent when Redis did not answer) publishes the outcome. */
  | { kind: 'produce'; flight?: ProducingFlight<CachedGeneration> }
  /** Another replica makes it as job `jobId`; `result` waits for it (and makes it here if that replica goes away). */
  | { kind: 'joined'; jobId: string; result: Promise<ImageResult> }
  /** Another replica made it a moment ago. */
  | { kind: 'answered'; result: ImageResult };

/** A result made by another replica, as this replica's caller gets it: no new cost, a shared call. */
const sharedResult = (result: Omit<ImageResult, 'fromCache'>): ImageResult => ({
  ...result,
  fromCache: false,
  sharedCall: true,
  actualCostUsd: 0,
});

/**
 * How long a replica keeps trying to read the images another replica just stored: a shared store may show a new
 * object a moment after its writer saw it stored (an index another process refreshes, an eventually consistent
 * listing). Paying again is the only alternative, so a few seconds of patience are cheap.
 */
const storedImagesPatienceMs = 3_000;
const storedImagesRetryMs = 100;

/** The result an outcome stands for; undefined when there is none to give (the producer went away or the images are gone). */
async function resultOfOutcome(
  outcome: FlightOutcome<CachedGeneration> | undefined,
  context: SharedFlightContext,
): Promise<ImageResult | undefined> {
  if (outcome?.error) throw new ImageGenError({ code: outcome.error.code as ImageGenErrorCode, message: outcome.error.message });
  if (!outcome?.summary) return undefined;
  const deadline = Date.now() + storedImagesPatienceMs;
  for (;;) {
    const result = await resultFromSummary(outcome.summary, context.store);
    if (result) return sharedResult(result);
    if (Date.now() >= deadline || context.signal?.aborted) break;
    await delay(storedImagesRetryMs);
  }
  context.log.warn('the images another replica made cannot be read here; making the request again', { imageIds: outcome.summary.imageIds });
  return undefined;
}

/**
 * Step: decides which replica makes a request — this one (holding the request key in Redis), or the one already
 * making it, whose outcome this replica then waits for. `produceHere` starts the request on this replica; it is
 * called again when the producing replica went away without an outcome (it died: its lease expired).
 */
export async function claimSharedFlight(
  requestHash: string,
  jobId: string,
  context: SharedFlightContext,
  produceHere: (flight: ProducingFlight<CachedGeneration> | undefined, jobId: string) => Promise<ImageResult>,
): Promise<SharedFlightDecision> {
  let claim;
  try {
    claim = await context.flights.claim(requestHash, jobId);
  } catch (error) {
    context.log.warn('could not agree with the other replicas on who makes this request; making it here', { error: String(error) });
    return { kind: 'produce' };
  }
  if (claim.kind === 'producer') return { kind: 'produce', flight: claim.flight };
  if (claim.kind === 'done') {
    const result = await resultOfOutcome(claim.outcome, context);
    if (result) return { kind: 'answered', result };
    return { kind: 'produce' };
  }
  context.log.info('joined an identical request running on another replica', { jobId: claim.jobId });
  context.onProgress?.({ stage: 'queued', message: 'Another server is making this exact image; waiting for it.', elapsedMs: 0 });
  return { kind: 'joined', jobId: claim.jobId, result: awaitSharedFlight(requestHash, context, produceHere) };
}

/** Waits for a request another replica makes; makes it here when that replica went away without an outcome. */
async function awaitSharedFlight(
  requestHash: string,
  context: SharedFlightContext,
  produceHere: (flight: ProducingFlight<CachedGeneration> | undefined, jobId: string) => Promise<ImageResult>,
): Promise<ImageResult> {
  for (;;) {
    const result = await resultOfOutcome(await context.flights.awaitOutcome(requestHash, context.signal), context);
    if (result) return result;
    const jobId = newJobId();
    const claim = await context.flights.claim(requestHash, jobId).catch(() => undefined);
    if (claim === undefined || claim.kind === 'producer') {
      context.log.warn('the replica making this request went away without an answer; making it here');
      return produceHere(claim?.flight, jobId);
    }
    if (claim.kind === 'done') {
      const answered = await resultOfOutcome(claim.outcome, context);
      if (answered) return answered;
      return produceHere(undefined, jobId);
    }
  }
}

/**
 * Publishes how a request made here ended, for the replicas waiting for it. A cancellation is not an answer for them:
 * they find the key free and make the request themselves.
 */
export async function publishFlightOutcome(
  flight: ProducingFlight<CachedGeneration> | undefined,
  outcome: { result: ImageResult } | { error: unknown },
): Promise<void> {
  if (!flight) return;
  if ('result' in outcome) {
    const summary = summarizeResult(outcome.result);
    delete summary.actualCostUsd;
    await flight.finish({ summary });
    return;
  }
  const error = toImageGenError(outcome.error);
  await flight.finish(error.code === 'cancelled' ? {} : { error: { code: error.code, message: error.message } });
}

import { toImageGenError } from '@imagegen/common';
import type { PaidCall } from '../cost/cost-ledger';

/**
 * Step, when the provider call failed: how the ledger records it. A call that never went out was not billed; one that
 * went out and got no answer (cancelled, timed out) may have been, and is counted at its estimate; an error answer
 * from the vendor is not billed.
 */
export async function recordFailedCall(paidCall: PaidCall, error: unknown, reachedProvider: boolean): Promise<void> {
  const failure = toImageGenError(error);
  if (!reachedProvider) return paidCall.notBilled(`The call did not go out: ${failure.message}`);
  if (failure.code === 'cancelled' || failure.code === 'timeout') {
    return paidCall.unknown(`No answer came back (${failure.code}); the vendor may have billed the call.`);
  }
  return paidCall.notBilled(`The vendor answered with an error (${failure.code}): ${failure.message}`);
}

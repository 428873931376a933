// The inter-cluster link as a migration step sees it: whether the destination's peer (the
// source cluster) is available, and riding out a short outage inside a poll. Transfers resume
// from their checkpoint once the link is back, so a flapping link must not cost a restart.
import { InterClusterLinkError } from '../../errors';
import type { OperationContext } from '../cluster';

/** How long one poll waits for the link before the outage costs a restart (well inside any task timeout). */
export const LINK_OUTAGE_BUDGET_MS = 60_000;
const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 5_000;

/** The destination's view of its peer, the source cluster: `available` or why not. */
export async function linkState(ctx: OperationContext): Promise<{ source: string; state: string }> {
  const { source, destination } = ctx.clusters;
  const sourceName = (await source.cluster.get()).name;
  const peer = (await destination.peers.list()).find(
    (p) => p.name === sourceName || p.remote?.name === sourceName,
  );
  return { source: sourceName, state: peer?.status.state ?? 'missing' };
}

/**
 * Runs `operation`; when it fails with InterClusterLinkError, waits with exponential backoff
 * until the peer is available again and runs it again, within `budgetMs` in all. Past the budget
 * the last link error is thrown (then the step's failure route decides).
 */
export async function rideOutLinkOutages<T>(
  ctx: OperationContext,
  operation: () => Promise<T>,
  onOutage: (waitedMs: number) => Promise<void>,
  budgetMs = LINK_OUTAGE_BUDGET_MS,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await operation();
    } catch (err) {
      if (!(err instanceof InterClusterLinkError)) throw err;
      const waited = await untilLinkAvailable(ctx, started + budgetMs);
      if (waited === undefined) throw err;
      await onOutage(waited);
    }
  }
}

/** Milliseconds waited until the peer was available, or undefined at the deadline. */
async function untilLinkAvailable(ctx: OperationContext, deadline: number): Promise<number | undefined> {
  const from = Date.now();
  for (let delay = FIRST_BACKOFF_MS; ; delay = Math.min(delay * 2, MAX_BACKOFF_MS)) {
    if ((await linkState(ctx)).state === 'available') return Date.now() - from;
    if (Date.now() + delay > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

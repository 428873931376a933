// The SnapMirror relationships of one migration, seen from the destination cluster that owns
// them: which exist, which volume each serves, whether a transfer runs, and waiting for one.

import { NotFoundError, TransientError, ValidationError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import { errorFromRelationship } from '../../ontap/client';
import type { SnapmirrorRelationship, TransferState } from '../../ontap/types';

/** Transfer states in which a transfer still runs (ONTAP answers busy to a second one). */
export const ACTIVE_TRANSFER: ReadonlySet<TransferState> = new Set<TransferState>(['queued', 'transferring']);

export const isTransferring = (rel: SnapmirrorRelationship): boolean =>
  rel.transfer !== undefined && ACTIVE_TRANSFER.has(rel.transfer.state);

/** The volume name of a relationship's destination path (`svm:volume`). */
export const volumeOf = (rel: SnapmirrorRelationship): string =>
  rel.destination.path.slice(rel.destination.path.indexOf(':') + 1);

export async function relationshipsInto(
  destination: OntapClient,
  svmName: string,
): Promise<SnapmirrorRelationship[]> {
  const all = await destination.snapmirror.listRelationships();
  return all
    .filter((r) => r.destination.path.startsWith(`${svmName}:`))
    .sort((a, b) => a.destination.path.localeCompare(b.destination.path));
}

/** Aborts the relationship's running transfer, if any; one that ended meanwhile is fine. */
export async function abortActiveTransfer(
  destination: OntapClient,
  rel: SnapmirrorRelationship,
): Promise<void> {
  if (!rel.transfer || !isTransferring(rel)) return;
  try {
    await destination.snapmirror.abortTransfer(rel.uuid, rel.transfer.uuid);
  } catch (err) {
    // ONTAP refuses to abort a transfer that is no longer running, or no longer knows it: the goal is reached.
    if (!(err instanceof ValidationError || err instanceof NotFoundError)) throw err;
  }
}

/**
 * Runs one more update to completion: waits out a transfer already running, starts an update,
 * and waits for it. Success returns the relationship; a failed update throws the typed error
 * behind it (the link down -> InterClusterLinkError).
 */
export async function updateAndWait(
  destination: OntapClient,
  rel: SnapmirrorRelationship,
): Promise<SnapmirrorRelationship> {
  const settled = isTransferring(rel) ? await transferEnded(destination, rel, undefined) : rel;
  await destination.snapmirror.startUpdate(rel.uuid);
  const done = await transferEnded(destination, rel, settled.transfer?.uuid);
  if (done.transfer?.state === 'success') return done;
  throw (
    errorFromRelationship(destination.side, done) ??
    new TransientError(
      `destination cluster: transfer into ${done.destination.path} ended ${done.transfer?.state}`,
      { side: 'destination' },
    )
  );
}

/** The relationship once no transfer runs and it has a last transfer other than `before`. */
function transferEnded(
  destination: OntapClient,
  rel: SnapmirrorRelationship,
  before: string | undefined,
): Promise<SnapmirrorRelationship> {
  return destination.poll(
    async () => {
      const now = await destination.snapmirror.getRelationship(rel.uuid);
      return isTransferring(now) || now.transfer?.uuid === before ? undefined : now;
    },
    () =>
      new TransientError(
        `destination cluster: transfer into ${rel.destination.path} did not finish in time`,
        { side: 'destination' },
      ),
  );
}

// Follows a migration through DynamoDB, as a status view does: the record, each volume's
// transfer and the event log, reporting only what changed since the last look.
import type { MigrationStore } from '../lambdas/state/migration-store';
import type { MigrationEvent, MigrationRecord, VolumeProgress } from '../lambdas/state/records';

export interface ProgressUpdate {
  record: MigrationRecord;
  volumes: VolumeProgress[];
  /** Events appended since the previous update. */
  events: MigrationEvent[];
  /** Volumes whose transfer state or byte count changed since the previous update. */
  changedVolumes: VolumeProgress[];
}

export class MigrationProgress {
  private lastEvent?: string;
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly store: MigrationStore,
    readonly migrationId: string,
  ) {}

  async next(): Promise<ProgressUpdate | undefined> {
    const record = await this.store.get(this.migrationId);
    if (!record) return undefined;
    const [volumes, events] = await Promise.all([
      this.store.listVolumes(this.migrationId),
      this.store.listEvents(this.migrationId, this.lastEvent ? { after: this.lastEvent } : {}),
    ]);
    if (events.length > 0) this.lastEvent = events[events.length - 1].id;
    const changedVolumes = volumes.filter((v) => {
      const key = `${v.transferState ?? ''}|${v.bytesTransferred}|${v.node ?? ''}`;
      if (this.seen.get(v.name) === key) return false;
      this.seen.set(v.name, key);
      return true;
    });
    return { record, volumes, events, changedVolumes };
  }
}

/** Waits for the migration that an execution began for `source` (CheckState creates it). */
export async function migrationStartedFor(
  store: MigrationStore,
  source: { cluster: string; svm: string },
  since: Date,
  until: Promise<unknown>,
): Promise<MigrationRecord | undefined> {
  let ended = false;
  void until.finally(() => (ended = true));
  for (;;) {
    const active = await store.findActiveForSvm(source.cluster, source.svm);
    if (active && active.times.start >= since.toISOString()) return active;
    if (ended) {
      // A fast run may begin and finish between two looks: find it in the listing instead.
      const { items } = await store.list({ limit: 5 });
      return items.find(
        (m) =>
          m.source.cluster === source.cluster &&
          m.source.svm === source.svm &&
          m.times.start >= since.toISOString(),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

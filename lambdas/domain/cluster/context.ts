// What every cluster operation of a migration gets: the two clusters, what to migrate, and
// where to report per-volume progress. Plain values, so a Lambda task or a test can call them.

import type { OntapClient } from '../../ontap/client';
import type { VolumePatch } from '../../state/records';

export interface ClusterPair {
  source: OntapClient;
  destination: OntapClient;
}

/** Per-volume progress: the state store's volume patch, so a task passes it on unchanged. */
export type VolumeCheckpointPatch = Omit<VolumePatch, 'error'>;

/** Persists a volume's progress; called after each sub-step so a re-run can be audited and resumed. */
export type VolumeCheckpoint = (volume: string, patch: VolumeCheckpointPatch) => Promise<void>;

export interface MigrationPlan {
  /** The migration's id: tags what the operations create, so undo deletes only that. */
  migrationId: string;
  sourceSvm: string;
  /** Destination aggregates to place volumes on; all online aggregates of healthy nodes when absent. */
  aggregates?: string[];
  /** SnapMirror throttle per volume in KB/s (ONTAP's unit); 0 or absent is unlimited. */
  throttleKBps?: number;
}

/** The two moments that bound the clients' cut-over window. */
export type Milestone = 'client_access_stopped' | 'destination_serving';

export interface OperationContext {
  clusters: ClusterPair;
  plan: MigrationPlan;
  checkpoint?: VolumeCheckpoint;
  /** How many volumes are worked on at once (default 8). */
  concurrency?: number;
  /** Injected for tests; defaults to the wall clock. */
  now?: () => Date;
  /** Told the moment a milestone is reached (once per run of the operation that reaches it). */
  milestone?: (name: Milestone, at: string) => Promise<void>;
}

export const DEFAULT_CONCURRENCY = 8;

/** The destination SVM keeps the source SVM's name: clients and DNS records see no change. */
export const destinationSvmName = (plan: MigrationPlan): string => plan.sourceSvm;

/** The comment on a destination SVM this migration created (checked before any undo deletes). */
export const ownershipTag = (plan: MigrationPlan): string => `svm-migrate:${plan.migrationId}`;

export const snapmirrorPath = (svm: string, volume: string): string => `${svm}:${volume}`;

export async function report(
  ctx: OperationContext,
  volume: string,
  patch: VolumeCheckpointPatch,
  step?: string,
): Promise<void> {
  if (!ctx.checkpoint) return;
  const at = (ctx.now ?? (() => new Date()))().toISOString();
  await ctx.checkpoint(volume, step ? { ...patch, checkpoint: { ...patch.checkpoint, [step]: at } } : patch);
}

export async function reached(ctx: OperationContext, name: Milestone): Promise<void> {
  await ctx.milestone?.(name, (ctx.now ?? (() => new Date()))().toISOString());
}

// The migrate state as the tasks, the CLI and the status views read it: one migration
// record, one progress record per volume, the event log and the per-source-SVM lock.

/** ONTAP's SVM-migrate state names, plus the undo states this orchestrator adds. */
export const MIGRATION_STATES = [
  'setup_configuration',
  'transferring',
  'ready_for_cutover',
  'cutover_triggered',
  'cutover_started',
  'cutover_complete',
  'ready_for_source_cleanup',
  'source_cleanup',
  'migrate_complete',
  'migrate_paused',
  'migrate_failed',
  'rolling_back',
  'rolled_back',
  'undo_failed',
] as const;
export type MigrationState = (typeof MIGRATION_STATES)[number];

export const OPERATOR_REQUESTS = ['pause', 'abort', 'cutover'] as const;
export type OperatorRequest = (typeof OPERATOR_REQUESTS)[number];

/** Counters that only ever grow; written with ADD so concurrent readers never lose a count. */
export const MIGRATION_COUNTERS = ['restarts', 'retries', 'relocations'] as const;
export type MigrationCounter = (typeof MIGRATION_COUNTERS)[number];

export interface SvmRef {
  cluster: string;
  svm: string;
}

export interface DestinationRef {
  cluster: string;
  /** Where to place the volumes; all online aggregates of the destination when absent. */
  aggregates?: string[];
}

export interface MigrationOptions {
  autoCutover: boolean;
  autoSourceCleanup: boolean;
  /** Per-volume transfer throttle in KB/s (ONTAP's max_transfer_rate); 0 is unlimited. */
  throttle: number;
  /** A source volume created or deleted while it transfers: followed or refused (absent on older records: follow). */
  sourceChanges?: 'follow' | 'refuse';
}

/** ISO-8601 times of the milestones the summary reports. */
export interface MigrationTimes {
  start: string;
  cutoverTrigger?: string;
  cutoverStart?: string;
  cutoverComplete?: string;
  end?: string;
}

/** When the operator asked for each action; absent once the owner has acted on it. */
export type OperatorRequests = Partial<Record<OperatorRequest, string>>;

export interface MigrationRecord {
  id: string;
  source: SvmRef;
  destination: DestinationRef;
  options: MigrationOptions;
  /** The forward phase reached: where a fresh execution resumes. */
  phase: MigrationState;
  /** The state as ONTAP would report it now (equals `phase` while running; paused, failed, rolling back...). */
  status: MigrationState;
  /** Bumped by each restart, so a step can tell its own earlier attempt from a previous run's. */
  generation: number;
  /** Bumped by every owner write; each write is conditional on it. */
  version: number;
  /** The execution that may write (a fencing token). */
  owner: string;
  /** How far each owner write pushes the lease, unless the write says otherwise. */
  leaseSeconds: number;
  /** ISO-8601 like every time here: toISOString is fixed-width, so conditions compare it as a string. */
  leaseExpiresAt: string;
  /** The execution the owner handed the migration to (continue-as-new): it may take over at once. */
  handoffTo?: string;
  pointOfNoReturn: boolean;
  destinationServing: boolean;
  restarts: number;
  retries: number;
  relocations: number;
  times: MigrationTimes;
  requests: OperatorRequests;
  messages: string[];
}

/** What an owner may change on its migration; `times` and `requests` are merged key by key. */
export interface MigrationPatch {
  phase?: MigrationState;
  status?: MigrationState;
  generation?: number;
  pointOfNoReturn?: boolean;
  destinationServing?: boolean;
  options?: MigrationOptions;
  times?: Partial<Omit<MigrationTimes, 'start'>>;
  /** Added to the counters atomically. */
  add?: Partial<Record<MigrationCounter, number>>;
  /** Appended to `messages`. */
  message?: string;
}

export interface VolumeProgress {
  name: string;
  sourceUuid?: string;
  destinationUuid?: string;
  /** The destination node that runs this volume's transfer (changes on relocation). */
  node?: string;
  relationshipUuid?: string;
  /** ONTAP's SnapMirror transfer state (see lambdas/ontap/types.ts TRANSFER_STATES). */
  transferState?: string;
  bytesTransferred: number;
  totalBytes?: number;
  /** The sub-steps done for this volume, each with when: a re-run skips them. */
  checkpoint: Record<string, string>;
  errors: string[];
}

/** What an owner may change on a volume; `checkpoint` is merged key by key. */
export interface VolumePatch {
  sourceUuid?: string;
  destinationUuid?: string;
  node?: string;
  relationshipUuid?: string;
  transferState?: string;
  bytesTransferred?: number;
  totalBytes?: number;
  checkpoint?: Record<string, string>;
  /** Appended to `errors`. */
  error?: string;
}

export interface MigrationEventInput {
  type: string;
  phase: MigrationState;
  detail?: Record<string, unknown>;
  /** ISO-8601; the log is ordered by it. */
  at: string;
}

export interface MigrationEvent extends MigrationEventInput {
  /** `<at>#<seq>`: unique within the migration, sorts in log order; pass it as `after` to read on. */
  id: string;
  /** Epoch seconds when DynamoDB's TTL deletes the event. */
  expiresAt: number;
}

export interface SvmLock {
  source: SvmRef;
  migrationId: string;
  owner: string;
  leaseExpiresAt: string;
}

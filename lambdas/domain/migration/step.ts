// One run of a migration task: load the migration, check this execution still owns it
// (fencing), and save changes conditional on the version it read.
import type { Tunables } from '../../config';
import { ConflictError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import type {
  MigrationPatch,
  MigrationRecord,
  MigrationState,
  VolumePatch,
  VolumeProgress,
} from '../../state/records';
import type { Dependencies } from './dependencies';
import { recordEvent } from './events';

/** The payload the state machine gives every task but CheckState. */
export interface TaskPayload {
  migrationId: string;
  executionId: string;
  stateName?: string;
  retryCount?: number;
  /** The caught error that routed the execution here (undo, relocate, restart tasks). */
  error?: { Error?: string; Cause?: string } | null;
  /** The step a Relocate state relocates. */
  step?: string;
}

export interface Clusters {
  source: OntapClient;
  destination: OntapClient;
}

export class MigrationStep {
  private constructor(
    readonly deps: Dependencies,
    readonly payload: TaskPayload,
    private current: MigrationRecord,
    readonly tunables: Tunables,
  ) {}

  static async open(deps: Dependencies, payload: TaskPayload): Promise<MigrationStep> {
    deps.logger.appendKeys({ migrationId: payload.migrationId });
    const record = await deps.store.get(payload.migrationId);
    if (!record) throw new ConflictError(`migration ${payload.migrationId} does not exist`);
    if (record.owner !== payload.executionId) {
      throw new ConflictError(
        `execution ${payload.executionId} no longer owns migration ${record.id} (owner: ${record.owner ?? 'none'})`,
      );
    }
    const step = new MigrationStep(deps, payload, record, await deps.config.tunables());
    if ((payload.retryCount ?? 0) > 0) await step.countRetry();
    return step;
  }

  get record(): MigrationRecord {
    return this.current;
  }

  get id(): string {
    return this.current.id;
  }

  async save(patch: MigrationPatch): Promise<MigrationRecord> {
    this.current = await this.deps.store.update(
      this.current.id,
      { owner: this.payload.executionId, expectedVersion: this.current.version },
      patch,
    );
    return this.current;
  }

  /** Reads the record again (still fenced): operator requests are written without a version bump. */
  async refresh(): Promise<MigrationRecord> {
    const record = await this.deps.store.get(this.current.id);
    if (!record || record.owner !== this.payload.executionId) {
      throw new ConflictError(
        `execution ${this.payload.executionId} no longer owns migration ${this.current.id} (owner: ${record?.owner ?? 'none'})`,
      );
    }
    this.current = record;
    return record;
  }

  async event(type: string, detail: Record<string, unknown> = {}): Promise<void> {
    await recordEvent(this.deps, this.current, type, detail);
  }

  /** Enters a phase once: a re-run of the same step does not reset its start time. */
  async enter(phase: MigrationState, extra: MigrationPatch = {}): Promise<void> {
    if (this.current.phase === phase && this.current.status === phase && Object.keys(extra).length === 0)
      return;
    const changed = this.current.phase !== phase;
    await this.save({ phase, status: phase, ...extra });
    if (changed) await this.event('phase_changed', { phase });
  }

  async clusters(): Promise<Clusters> {
    const [source, destination] = await Promise.all([
      this.deps.connect(this.current.source.cluster, 'source'),
      this.deps.connect(this.current.destination.cluster, 'destination'),
    ]);
    return { source, destination };
  }

  volumes(): Promise<VolumeProgress[]> {
    return this.deps.store.listVolumes(this.current.id);
  }

  updateVolume(name: string, patch: VolumePatch): Promise<void> {
    return this.deps.store.updateVolume(this.current.id, this.payload.executionId, name, patch);
  }

  private async countRetry(): Promise<void> {
    await this.save({ add: { retries: 1 } });
    await this.event('step_retried', { state: this.payload.stateName, attempt: this.payload.retryCount });
  }
}

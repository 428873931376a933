// The migrate-state store: every owner write is fenced by the migration's version and owner
// execution, a lock per source SVM keeps two migrations of one SVM apart, and an event log
// with a TTL keeps what happened. Item layout: docs/architecture.md, "State model".
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapAwsErrors } from '../aws-errors';
import { ConflictError } from '../errors';
import { lockHeld, lockLost, migrationNotFound, ownershipConflict, takeOverRefused } from './conflicts';
import { appendEvent, listEvents } from './event-log';
import { ExpressionBuilder, plain } from './expression-builder';
import { lockKey, MIGRATIONS_INDEX_PK, migrationIndexSk, migrationKey, withoutKeys } from './keys';
import { applyMigrationPatch } from './patches';
import { decodeCursor, encodeCursor, type Table } from './queries';
import type {
  DestinationRef,
  MigrationEvent,
  MigrationEventInput,
  MigrationOptions,
  MigrationPatch,
  MigrationRecord,
  MigrationState,
  OperatorRequest,
  SvmLock,
  SvmRef,
  VolumePatch,
  VolumeProgress,
} from './records';
import { GSI1 } from './table-schema';
import { rawString, type TransactItem, transactWrite } from './transactions';
import { deleteVolumes, listVolumes, type NewVolume, putVolumes, updateVolume } from './volume-items';

export type { NewVolume } from './volume-items';

export interface MigrationStoreOptions {
  /** Injected by tests to move time without sleeping. */
  clock?: () => Date;
  /** The lease of a migration begun without one: longer than any task runs. */
  leaseSeconds?: number;
  /** How long events are kept before DynamoDB's TTL deletes them. */
  eventRetentionDays?: number;
}

export interface BeginInput {
  source: SvmRef;
  destination: DestinationRef;
  options: MigrationOptions;
  /** The execution that starts the migration. */
  owner: string;
  leaseSeconds?: number;
}

/** Who writes and which version they read: the condition of every owner write. */
export interface Fence {
  owner: string;
  expectedVersion: number;
  /**
   * How far this write pushes the lease instead of the migration's leaseSeconds: a pause
   * pushes it far, so the SVM stays locked while no execution runs.
   */
  leaseSeconds?: number;
}

export interface TakeOverInput {
  newOwner: string;
  /** The execution that started this one (continue-as-new, resume): allowed while it is still the owner. */
  allowIfOwner?: string;
  /** A liveness check found the current owner not running: take over despite its lease. */
  force?: boolean;
  /**
   * The version the caller read (and decided on): the takeover is refused if anyone wrote since,
   * so of many executions that saw the same dead owner exactly one takes over.
   */
  expectedVersion?: number;
  leaseSeconds?: number;
}

export interface Page<T> {
  items: T[];
  /** Pass back to read the next page; absent on the last one. */
  cursor?: string;
}

const DEFAULT_LEASE_SECONDS = 15 * 60;
const DEFAULT_EVENT_RETENTION_DAYS = 90;
const DEFAULT_PAGE_SIZE = 50;

export class MigrationStore {
  private readonly clock: () => Date;
  private readonly leaseSeconds: number;
  private readonly eventRetentionSeconds: number;
  private readonly table: Table;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: MigrationStoreOptions = {},
  ) {
    // DynamoDB hiccups (throttling, timeouts, 5xx, a lost connection) are retried in place by the
    // state machine, not taken for a failed step that must be undone.
    mapAwsErrors(client, 'DynamoDB');
    this.table = { client, name: tableName };
    this.clock = options.clock ?? (() => new Date());
    this.leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    this.eventRetentionSeconds = (options.eventRetentionDays ?? DEFAULT_EVENT_RETENTION_DAYS) * 86_400;
  }

  /**
   * Creates the migration and takes its source SVM's lock in one transaction. The lock is taken
   * only if absent or its lease expired; a retried begin of the same owner gets its migration back.
   */
  async begin(input: BeginInput): Promise<MigrationRecord> {
    const now = this.clock();
    const start = now.toISOString();
    const id = newMigrationId(now);
    const leaseSeconds = input.leaseSeconds ?? this.leaseSeconds;
    const leaseExpiresAt = this.leaseUntil(now, leaseSeconds);
    const record: MigrationRecord = {
      id,
      source: input.source,
      destination: input.destination,
      options: input.options,
      phase: 'setup_configuration',
      status: 'setup_configuration',
      generation: 1,
      version: 1,
      owner: input.owner,
      leaseSeconds,
      leaseExpiresAt,
      pointOfNoReturn: false,
      destinationServing: false,
      restarts: 0,
      retries: 0,
      relocations: 0,
      times: { start },
      requests: {},
      messages: [],
    };
    const lock: SvmLock = { source: input.source, migrationId: id, owner: input.owner, leaseExpiresAt };
    const lockCondition = new ExpressionBuilder();
    const migrationCondition = new ExpressionBuilder();
    const refused = await transactWrite(this.client, [
      {
        Put: {
          TableName: this.tableName,
          Item: plain({ ...lockKey(input.source), ...lock }),
          ...lockCondition.conditionParams(
            `attribute_not_exists(${lockCondition.path('pk')}) OR ` +
              `${lockCondition.path('leaseExpiresAt')} < ${lockCondition.value(start)}`,
          ),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: plain({
            ...migrationKey(id),
            [GSI1.partitionKey]: MIGRATIONS_INDEX_PK,
            [GSI1.sortKey]: migrationIndexSk(start, id),
            ...record,
          }),
          ...migrationCondition.conditionParams(`attribute_not_exists(${migrationCondition.path('pk')})`),
        },
      },
    ]);
    if (refused === undefined) return plain(record);
    const [lockOutcome] = refused;
    if (!lockOutcome.conditionFailed) throw new ConflictError(`migration id ${id} is already taken`);
    const heldBy = rawString(lockOutcome.old, 'migrationId');
    if (rawString(lockOutcome.old, 'owner') === input.owner && heldBy !== undefined) {
      const mine = await this.get(heldBy);
      if (mine !== undefined) return mine;
    }
    throw lockHeld(input.source, lockOutcome.old);
  }

  async get(id: string): Promise<MigrationRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: migrationKey(id), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : withoutKeys<MigrationRecord>(Item);
  }

  /** The migration holding the SVM's lock (its lease may have expired: it is unfinished, not dead). */
  async findActiveForSvm(cluster: string, svm: string): Promise<MigrationRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: lockKey({ cluster, svm }), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : this.get(withoutKeys<SvmLock>(Item).migrationId);
  }

  /** Migrations, newest first. */
  async list(page: { limit?: number; cursor?: string } = {}): Promise<Page<MigrationRecord>> {
    const key = new ExpressionBuilder();
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI1.indexName,
        ...key.keyParams(`${key.path(GSI1.partitionKey)} = ${key.value(MIGRATIONS_INDEX_PK)}`),
        ScanIndexForward: false,
        Limit: page.limit ?? DEFAULT_PAGE_SIZE,
        ExclusiveStartKey: page.cursor === undefined ? undefined : decodeCursor(page.cursor),
      }),
    );
    return {
      items: (out.Items ?? []).map((item) => withoutKeys<MigrationRecord>(item)),
      ...(out.LastEvaluatedKey !== undefined && { cursor: encodeCursor(out.LastEvaluatedKey) }),
    };
  }

  /** An owner's write: only the patched attributes change; version +1; the lease is refreshed on migration and lock. */
  async update(id: string, fence: Fence, patch: MigrationPatch): Promise<MigrationRecord> {
    const builder = new ExpressionBuilder();
    applyMigrationPatch(builder, patch);
    return this.ownerWrite(id, fence, builder, 'refresh');
  }

  /** Names the execution that continues this migration (continue-as-new); it may then take over at once. */
  async handoff(id: string, fence: Fence, nextOwner: string): Promise<MigrationRecord> {
    return this.ownerWrite(id, fence, new ExpressionBuilder().set(['handoffTo'], nextOwner), 'refresh');
  }

  /** The final write of a migration and the release of its SVM's lock, in one transaction. */
  async release(id: string, fence: Fence, finalPatch: MigrationPatch): Promise<MigrationRecord> {
    const builder = new ExpressionBuilder();
    applyMigrationPatch(builder, finalPatch);
    return this.ownerWrite(id, fence, builder, 'delete');
  }

  /**
   * Makes `newOwner` the owner (version +1, handoff cleared) if the lease expired, the owner
   * handed off to it, the owner is `allowIfOwner`, it already owns it, or `force` is set.
   */
  async takeOver(id: string, input: TakeOverInput): Promise<MigrationRecord> {
    const current = await this.require(id);
    const now = this.clock();
    const leaseExpiresAt = this.leaseUntil(now, input.leaseSeconds ?? current.leaseSeconds);
    const migration = new ExpressionBuilder()
      .set(['owner'], input.newOwner)
      .set(['leaseExpiresAt'], leaseExpiresAt)
      .remove(['handoffTo']);
    migration.setTo(['version'], `${migration.path('version')} + ${migration.value(1)}`);
    const read =
      input.expectedVersion === undefined
        ? `attribute_exists(${migration.path('pk')})`
        : `attribute_exists(${migration.path('pk')}) AND ${migration.path('version')} = ${migration.value(input.expectedVersion)}`;
    const condition =
      input.force === true ? read : `${read} AND (${this.takeOverAllowed(migration, input, now)})`;
    const lock = new ExpressionBuilder()
      .set(['owner'], input.newOwner)
      .set(['leaseExpiresAt'], leaseExpiresAt);
    await this.updateWithLock(id, current.source, migration, condition, lock, (old) =>
      takeOverRefused(id, input.newOwner, now.toISOString(), old, input.expectedVersion),
    );
    return this.require(id);
  }

  /**
   * An operator's request (the CLI): SET only that request, no version bump. Refused past the
   * point of no return and outside REQUEST_PHASES, atomically with the write: the owner's step
   * that enters the next phase then re-reads the record and sees every request accepted before.
   */
  async request(id: string, kind: OperatorRequest, at: string): Promise<MigrationRecord> {
    const builder = new ExpressionBuilder().set(['requests', kind], at);
    const phases = REQUEST_PHASES[kind].map((phase) => builder.value(phase)).join(', ');
    const condition =
      `attribute_exists(${builder.path('pk')}) AND ${builder.path('pointOfNoReturn')} <> ${builder.value(true)} AND ` +
      `${builder.path('phase')} IN (${phases})`;
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: migrationKey(id),
          ...builder.updateParams(condition),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return withoutKeys<MigrationRecord>(out.Attributes ?? {});
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      if (err.Item === undefined) throw migrationNotFound(id);
      const phase = rawString(err.Item, 'phase');
      throw new ConflictError(
        err.Item.pointOfNoReturn?.BOOL === true
          ? `${kind} of migration ${id} refused: it passed the point of no return (phase ${phase}), so it can only roll forward`
          : `${kind} of migration ${id} refused: it does not apply in phase ${phase}`,
      );
    }
  }

  /** The owner acted on a request: remove it (no version bump, so it never races the owner's own writes). */
  async clearRequest(id: string, owner: string, kind: OperatorRequest): Promise<MigrationRecord> {
    const builder = new ExpressionBuilder().remove(['requests', kind]);
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: migrationKey(id),
          ...builder.updateParams(`${builder.path('owner')} = ${builder.value(owner)}`),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return withoutKeys<MigrationRecord>(out.Attributes ?? {});
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw ownershipConflict(id, err.Item, { owner });
      throw err;
    }
  }

  /** Creates or replaces volume items, fenced by the migration's owner, in transactions of at most 100 items. */
  putVolumes(id: string, owner: string, volumes: NewVolume[]): Promise<void> {
    return putVolumes(this.table, id, owner, volumes);
  }

  /** Sets the patched attributes of one volume, fenced by the migration's owner. */
  updateVolume(id: string, owner: string, name: string, patch: VolumePatch): Promise<void> {
    return updateVolume(this.table, id, owner, name, patch);
  }

  listVolumes(id: string): Promise<VolumeProgress[]> {
    return listVolumes(this.table, id);
  }

  deleteVolumes(id: string, owner: string): Promise<void> {
    return deleteVolumes(this.table, id, owner);
  }

  /** Appends to the log; events of the same instant get increasing sequence numbers. Not fenced: the CLI logs too. */
  appendEvent(id: string, input: MigrationEventInput): Promise<MigrationEvent> {
    return appendEvent(this.table, id, input, this.eventRetentionSeconds);
  }

  /** The log in order; `after` is the id of the last event already read. */
  listEvents(id: string, page: { limit?: number; after?: string } = {}): Promise<MigrationEvent[]> {
    return listEvents(this.table, id, page);
  }

  private async ownerWrite(
    id: string,
    fence: Fence,
    migration: ExpressionBuilder,
    lockAction: 'refresh' | 'delete',
  ): Promise<MigrationRecord> {
    // The lock's key is the source SVM, which only the migration item knows.
    const current = await this.require(id);
    const leaseExpiresAt = this.leaseUntil(this.clock(), fence.leaseSeconds ?? current.leaseSeconds);
    migration.set(['version'], fence.expectedVersion + 1).set(['leaseExpiresAt'], leaseExpiresAt);
    const condition =
      `${migration.path('owner')} = ${migration.value(fence.owner)} AND ` +
      `${migration.path('version')} = ${migration.value(fence.expectedVersion)}`;
    const lock =
      lockAction === 'refresh' ? new ExpressionBuilder().set(['leaseExpiresAt'], leaseExpiresAt) : undefined;
    await this.updateWithLock(id, current.source, migration, condition, lock, (old) =>
      ownershipConflict(id, old, fence),
    );
    return this.require(id);
  }

  /** The migration's conditional update and its lock's, in one transaction; `refusedBy` names a failed condition. */
  private async updateWithLock(
    id: string,
    source: SvmRef,
    migration: ExpressionBuilder,
    condition: string,
    lock: ExpressionBuilder | undefined,
    refusedBy: (old: Parameters<typeof ownershipConflict>[1]) => Error,
  ): Promise<void> {
    const refused = await transactWrite(this.client, [
      {
        Update: {
          TableName: this.tableName,
          Key: migrationKey(id),
          ...migration.updateParams(condition),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      this.lockItemOf(id, source, lock),
    ]);
    if (refused === undefined) return;
    if (refused[0].conditionFailed) throw refusedBy(refused[0].old);
    throw lockLost(id, source, refused[1].old);
  }

  /** When a newcomer may take over without force: it owns it already, the lease expired, or it was named. */
  private takeOverAllowed(builder: ExpressionBuilder, input: TakeOverInput, now: Date): string {
    const owner = builder.path('owner');
    return [
      `${owner} = ${builder.value(input.newOwner)}`,
      `${builder.path('leaseExpiresAt')} < ${builder.value(now.toISOString())}`,
      `${builder.path('handoffTo')} = ${builder.value(input.newOwner)}`,
      ...(input.allowIfOwner === undefined ? [] : [`${owner} = ${builder.value(input.allowIfOwner)}`]),
    ].join(' OR ');
  }

  /** Updates the SVM's lock (or deletes it when no update is given), only while this migration holds it. */
  private lockItemOf(id: string, source: SvmRef, update: ExpressionBuilder | undefined): TransactItem {
    const builder = update ?? new ExpressionBuilder();
    const condition = `${builder.path('migrationId')} = ${builder.value(id)}`;
    const common = {
      TableName: this.tableName,
      Key: lockKey(source),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
    return update === undefined
      ? { Delete: { ...common, ...builder.conditionParams(condition) } }
      : { Update: { ...common, ...builder.updateParams(condition) } };
  }

  private async require(id: string): Promise<MigrationRecord> {
    const record = await this.get(id);
    if (record === undefined) throw migrationNotFound(id);
    return record;
  }

  private leaseUntil(now: Date, seconds: number): string {
    return new Date(now.getTime() + seconds * 1000).toISOString();
  }
}

/**
 * The phases in which each operator request is accepted (and the point of no return not passed):
 * pause only before the cut-over begins (client access untouched); cutover only until triggered.
 */
export const REQUEST_PHASES: Record<OperatorRequest, readonly MigrationState[]> = {
  abort: ['setup_configuration', 'transferring', 'ready_for_cutover', 'cutover_triggered', 'cutover_started'],
  pause: ['setup_configuration', 'transferring', 'ready_for_cutover', 'cutover_triggered'],
  cutover: ['setup_configuration', 'transferring', 'ready_for_cutover'],
};

/** `mig-20260528T101500-3f9a1c`: sorts by start time, unique enough for concurrent starts. */
function newMigrationId(now: Date): string {
  const compact = now.toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `mig-${compact}-${randomBytes(3).toString('hex')}`;
}

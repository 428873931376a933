// Owner writes are fenced by version and owner; operator requests are not, and never bump the version.
import { ConflictError } from '../../lambdas/errors';
import { MigrationStore } from '../../lambdas/state/migration-store';
import { type FreshTable, freshTable } from '../support/dynamodb';
import { beginInput, testClock } from './fixtures';

describe('MigrationStore owner writes', () => {
  let table: FreshTable;
  const clock = testClock();
  let store: MigrationStore;
  let svmCount = 0;
  /** Each case migrates its own SVM, so no case waits on another's lock. */
  const begin = (owner = 'exec-1') =>
    store.begin(beginInput({ owner, source: { cluster: 'source', svm: `svm_${++svmCount}` } }));

  beforeAll(async () => {
    table = await freshTable();
    store = new MigrationStore(table.client, table.tableName, { clock: clock.now });
  });
  afterAll(() => table.close());

  it('begins a migration at version 1, generation 1, setup_configuration, with its start time', async () => {
    // Act
    const migration = await begin();

    // Assess
    expect(migration.id).toMatch(/^mig-20260528T100000-[0-9a-f]{6}$/);
    expect(migration).toMatchObject({
      version: 1,
      generation: 1,
      phase: 'setup_configuration',
      owner: 'exec-1',
      times: { start: '2026-05-28T10:00:00.000Z' },
      leaseExpiresAt: '2026-05-28T10:05:00.000Z',
    });
    expect(await store.get(migration.id)).toEqual(migration);
  });

  it('applies a patch: only the named attributes change, the version goes up by one, counters add up', async () => {
    // Prepare
    const migration = await begin();
    await store.request(migration.id, 'pause', '2026-05-28T10:00:01.000Z');

    // Act
    const updated = await store.update(
      migration.id,
      { owner: 'exec-1', expectedVersion: 1 },
      {
        phase: 'transferring',
        status: 'transferring',
        times: { cutoverTrigger: 'x' },
        add: { retries: 2 },
        message: 'started',
      },
    );
    const again = await store.update(
      migration.id,
      { owner: 'exec-1', expectedVersion: 2 },
      { add: { retries: 1, relocations: 1 }, message: 'relocated' },
    );

    // Assess
    expect(updated).toMatchObject({ version: 2, phase: 'transferring', retries: 2, messages: ['started'] });
    expect(again).toMatchObject({
      version: 3,
      phase: 'transferring',
      retries: 3,
      relocations: 1,
      restarts: 0,
      messages: ['started', 'relocated'],
      times: { start: migration.times.start, cutoverTrigger: 'x' },
      requests: { pause: '2026-05-28T10:00:01.000Z' },
    });
  });

  it.each([
    ['a stale version', { owner: 'exec-1', expectedVersion: 1 }, /at version 2, not 1 \(a stale read\)/],
    ['another owner', { owner: 'exec-2', expectedVersion: 2 }, /owned by exec-1 .*not by exec-2/],
    ['both', { owner: 'exec-2', expectedVersion: 1 }, /owned by exec-1 .*not by exec-2.*at version 2, not 1/],
  ])('refuses a write with %s, with a ConflictError saying which', async (_case, fence, message) => {
    // Prepare
    const migration = await begin();
    await store.update(migration.id, { owner: 'exec-1', expectedVersion: 1 }, { phase: 'transferring' });

    // Act
    const write = store.update(migration.id, fence, { phase: 'migrate_failed' });

    // Assess
    await expect(write).rejects.toThrow(ConflictError);
    await expect(write).rejects.toThrow(message);
    expect(await store.get(migration.id)).toMatchObject({ version: 2, phase: 'transferring' });
  });

  it('refreshes the lease on the migration and on the lock with each write', async () => {
    // Prepare
    const migration = await begin();
    clock.advance(60);

    // Act
    const updated = await store.update(migration.id, { owner: 'exec-1', expectedVersion: 1 }, {});

    // Assess
    const later = new Date(clock.now().getTime() + 300_000).toISOString();
    expect(updated.leaseExpiresAt).toBe(later);
    // The refreshed lock still turns away another begin after the first lease would have run out.
    clock.advance(270);
    await expect(store.begin(beginInput({ owner: 'exec-9', source: migration.source }))).rejects.toThrow(
      `until ${later}`,
    );
  });

  it('records operator requests without bumping the version, and the owner clears them', async () => {
    // Prepare
    const migration = await begin();

    // Act
    const requested = await store.request(migration.id, 'cutover', '2026-05-28T10:01:00.000Z');
    const paused = await store.request(migration.id, 'pause', '2026-05-28T10:02:00.000Z');
    const cleared = await store.clearRequest(migration.id, 'exec-1', 'cutover');

    // Assess
    expect(requested).toMatchObject({ version: 1, requests: { cutover: '2026-05-28T10:01:00.000Z' } });
    expect(paused.requests).toEqual({
      cutover: '2026-05-28T10:01:00.000Z',
      pause: '2026-05-28T10:02:00.000Z',
    });
    expect(cleared).toMatchObject({ version: 1, requests: { pause: '2026-05-28T10:02:00.000Z' } });
    await expect(store.clearRequest(migration.id, 'exec-2', 'pause')).rejects.toThrow(/owned by exec-1/);
  });

  it('refuses an abort after the point of no return, saying why, but accepts one before', async () => {
    // Prepare
    const early = await begin();
    const committed = await begin();
    await store.update(
      committed.id,
      { owner: 'exec-1', expectedVersion: 1 },
      { phase: 'cutover_started', pointOfNoReturn: true },
    );

    // Act
    const accepted = await store.request(early.id, 'abort', '2026-05-28T10:03:00.000Z');
    const refused = store.request(committed.id, 'abort', '2026-05-28T10:03:00.000Z');

    // Assess
    expect(accepted.requests.abort).toBe('2026-05-28T10:03:00.000Z');
    await expect(refused).rejects.toThrow(ConflictError);
    await expect(refused).rejects.toThrow(/point of no return \(phase cutover_started\)/);
    expect((await store.get(committed.id))?.requests).toEqual({});
  });

  it('releases: the final write and the lock deletion happen together', async () => {
    // Prepare
    const migration = await begin();

    // Act
    const released = await store.release(
      migration.id,
      { owner: 'exec-1', expectedVersion: 1 },
      { phase: 'migrate_complete', status: 'migrate_complete', times: { end: '2026-05-28T11:00:00.000Z' } },
    );

    // Assess
    expect(released).toMatchObject({
      version: 2,
      status: 'migrate_complete',
      times: { end: '2026-05-28T11:00:00.000Z' },
    });
    expect(await store.findActiveForSvm(migration.source.cluster, migration.source.svm)).toBeUndefined();
    const next = await store.begin(beginInput({ owner: 'exec-2', source: migration.source }));
    expect(next.id).not.toBe(migration.id);
  });

  it('refuses a release by a stale owner and keeps the lock', async () => {
    // Prepare
    const migration = await begin();

    // Act
    const release = store.release(
      migration.id,
      { owner: 'exec-2', expectedVersion: 1 },
      { status: 'migrate_failed' },
    );

    // Assess
    await expect(release).rejects.toThrow(ConflictError);
    expect((await store.findActiveForSvm(migration.source.cluster, migration.source.svm))?.id).toBe(
      migration.id,
    );
  });
});

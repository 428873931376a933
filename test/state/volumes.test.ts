// Per-volume progress items: written only by the migration's owner, many at a time.
import { ConflictError, NotFoundError, ValidationError } from '../../lambdas/errors';
import { MigrationStore } from '../../lambdas/state/migration-store';
import { type FreshTable, freshTable } from '../support/dynamodb';
import { beginInput, testClock } from './fixtures';

describe('MigrationStore volumes', () => {
  let table: FreshTable;
  const clock = testClock();
  let store: MigrationStore;
  let svmCount = 0;
  const begin = (owner = 'exec-1') =>
    store.begin(beginInput({ owner, source: { cluster: 'source', svm: `svm_${++svmCount}` } }));
  const volumeNames = (count: number) =>
    Array.from({ length: count }, (_, n) => `vol_${String(n).padStart(3, '0')}`);

  beforeAll(async () => {
    table = await freshTable();
    store = new MigrationStore(table.client, table.tableName, { clock: clock.now });
  });
  afterAll(() => table.close());

  it('puts 400 volumes (in transactions of at most 100 items) and lists them all back', async () => {
    // Prepare
    const migration = await begin();
    const names = volumeNames(400);

    // Act
    await store.putVolumes(
      migration.id,
      'exec-1',
      names.map((name) => ({ name, sourceUuid: `uuid-${name}`, totalBytes: 1024 })),
    );
    const volumes = await store.listVolumes(migration.id);

    // Assess
    expect(volumes.map((volume) => volume.name)).toEqual(names);
    expect(volumes[399]).toEqual({
      name: 'vol_399',
      sourceUuid: 'uuid-vol_399',
      totalBytes: 1024,
      bytesTransferred: 0,
      checkpoint: {},
      errors: [],
    });
  });

  it('updates one volume: scalars set, checkpoint merged, errors appended', async () => {
    // Prepare
    const migration = await begin();
    await store.putVolumes(migration.id, 'exec-1', [{ name: 'vol_a' }, { name: 'vol_b' }]);

    // Act
    await store.updateVolume(migration.id, 'exec-1', 'vol_a', {
      destinationUuid: 'dest-a',
      node: 'destination-01',
      checkpoint: { created: '2026-05-28T10:00:01.000Z' },
    });
    await store.updateVolume(migration.id, 'exec-1', 'vol_a', {
      transferState: 'transferring',
      bytesTransferred: 512,
      checkpoint: { relationship: '2026-05-28T10:00:02.000Z' },
      error: 'node destination-01 down; relocated',
    });

    // Assess
    const [volumeA, volumeB] = await store.listVolumes(migration.id);
    expect(volumeA).toEqual({
      name: 'vol_a',
      destinationUuid: 'dest-a',
      node: 'destination-01',
      transferState: 'transferring',
      bytesTransferred: 512,
      checkpoint: { created: '2026-05-28T10:00:01.000Z', relationship: '2026-05-28T10:00:02.000Z' },
      errors: ['node destination-01 down; relocated'],
    });
    expect(volumeB).toEqual({ name: 'vol_b', bytesTransferred: 0, checkpoint: {}, errors: [] });
  });

  it('refuses every volume write of a stale owner after a takeover', async () => {
    // Prepare
    const migration = await begin('exec-old');
    await store.putVolumes(migration.id, 'exec-old', [{ name: 'vol_a' }]);
    await store.takeOver(migration.id, { newOwner: 'exec-new', force: true });

    // Act
    const outcomes = await Promise.allSettled([
      store.putVolumes(migration.id, 'exec-old', [{ name: 'vol_b' }]),
      store.updateVolume(migration.id, 'exec-old', 'vol_a', { bytesTransferred: 1 }),
      store.deleteVolumes(migration.id, 'exec-old'),
    ]);

    // Assess
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(ConflictError);
      expect(reason.message).toMatch(/owned by exec-new .*not by exec-old/);
    }
    expect(await store.listVolumes(migration.id)).toEqual([
      { name: 'vol_a', bytesTransferred: 0, checkpoint: {}, errors: [] },
    ]);
  });

  it('refuses an update of a volume that was never put, and a list naming a volume twice', async () => {
    // Prepare
    const migration = await begin();

    // Act
    const update = await store
      .updateVolume(migration.id, 'exec-1', 'vol_ghost', { bytesTransferred: 1 })
      .catch((err) => err);
    const put = await store
      .putVolumes(migration.id, 'exec-1', [{ name: 'vol_a' }, { name: 'vol_a' }])
      .catch((err) => err);

    // Assess
    expect(update).toBeInstanceOf(NotFoundError);
    expect(update.message).toContain('volume vol_ghost is not part of migration');
    expect(put).toBeInstanceOf(ValidationError);
    expect(put.message).toBe('volume vol_a is listed twice');
  });

  it('deletes all of the owner’s volume items, across transaction chunks', async () => {
    // Prepare
    const migration = await begin();
    await store.putVolumes(
      migration.id,
      'exec-1',
      volumeNames(150).map((name) => ({ name })),
    );

    // Act
    await store.deleteVolumes(migration.id, 'exec-1');

    // Assess
    expect(await store.listVolumes(migration.id)).toEqual([]);
    expect(await store.get(migration.id)).toMatchObject({ id: migration.id, version: 1 });
  });
});

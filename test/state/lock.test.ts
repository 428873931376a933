// The per-source-SVM lock and the fencing of owners: one migration per SVM, and a new
// execution takes a migration over only when the old one is gone or handed it over.
import { ConflictError } from '../../lambdas/errors';
import { MigrationStore } from '../../lambdas/state/migration-store';
import { type FreshTable, freshTable } from '../support/dynamodb';
import { beginInput, testClock } from './fixtures';

describe('MigrationStore lock and takeover', () => {
  let table: FreshTable;
  const clock = testClock();
  let store: MigrationStore;
  let svmCount = 0;
  const nextSvm = () => ({ cluster: 'source', svm: `svm_${++svmCount}` });

  beforeAll(async () => {
    table = await freshTable();
    store = new MigrationStore(table.client, table.tableName, { clock: clock.now });
  });
  afterAll(() => table.close());

  it('lets exactly one of 5 concurrent begins of the same SVM win; the others are told who holds it', async () => {
    // Prepare
    const source = nextSvm();
    const owners = ['exec-a', 'exec-b', 'exec-c', 'exec-d', 'exec-e'];

    // Act
    const outcomes = await Promise.allSettled(
      owners.map((owner) => store.begin(beginInput({ owner, source }))),
    );

    // Assess
    const won = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const lost = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as Error] : [],
    );
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(4);
    for (const error of lost) {
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toContain(`locked by migration ${won[0].id} (owner ${won[0].owner}`);
    }
    expect((await store.findActiveForSvm(source.cluster, source.svm))?.id).toBe(won[0].id);
  });

  it('gives a retried begin of the same owner its own migration back', async () => {
    // Prepare
    const source = nextSvm();
    const first = await store.begin(beginInput({ owner: 'exec-1', source }));

    // Act
    const retried = await store.begin(beginInput({ owner: 'exec-1', source }));

    // Assess
    expect(retried).toEqual(first);
  });

  it('lets a new migration of the SVM begin once the lock lease expired, and fences the old one out', async () => {
    // Prepare
    const source = nextSvm();
    const stale = await store.begin(beginInput({ owner: 'exec-old', source, leaseSeconds: 60 }));
    clock.advance(61);

    // Act
    const fresh = await store.begin(beginInput({ owner: 'exec-new', source }));

    // Assess
    expect((await store.findActiveForSvm(source.cluster, source.svm))?.id).toBe(fresh.id);
    const staleWrite = store.update(
      stale.id,
      { owner: 'exec-old', expectedVersion: 1 },
      { phase: 'transferring' },
    );
    await expect(staleWrite).rejects.toThrow(ConflictError);
    await expect(staleWrite).rejects.toThrow(`migration ${fresh.id} holds it`);
  });

  it('refuses a takeover while the owner holds a live lease and has not handed off', async () => {
    // Prepare
    const migration = await store.begin(beginInput({ owner: 'exec-1', source: nextSvm() }));

    // Act
    const takeOver = store.takeOver(migration.id, { newOwner: 'exec-2' });

    // Assess
    await expect(takeOver).rejects.toThrow(ConflictError);
    await expect(takeOver).rejects.toThrow(/exec-1 owns it with a lease until .* and has not handed it off/);
    expect(await store.get(migration.id)).toMatchObject({ owner: 'exec-1', version: 1 });
  });

  it('takes over after the lease expired: new owner, version +1, the old owner is fenced out', async () => {
    // Prepare
    const migration = await store.begin(beginInput({ owner: 'exec-1', source: nextSvm(), leaseSeconds: 60 }));
    clock.advance(61);

    // Act
    const taken = await store.takeOver(migration.id, { newOwner: 'exec-2' });

    // Assess
    expect(taken).toMatchObject({ owner: 'exec-2', version: 2 });
    await expect(store.update(migration.id, { owner: 'exec-1', expectedVersion: 2 }, {})).rejects.toThrow(
      /owned by exec-2 .*not by exec-1/,
    );
    expect(await store.update(migration.id, { owner: 'exec-2', expectedVersion: 2 }, {})).toMatchObject({
      version: 3,
    });
    const newcomer = store.begin(beginInput({ owner: 'exec-3', source: migration.source }));
    await expect(newcomer).rejects.toThrow(`owner exec-2`);
  });

  it('hands off to a named execution, which takes over at once', async () => {
    // Prepare
    const migration = await store.begin(beginInput({ owner: 'exec-1', source: nextSvm() }));

    // Act
    const handedOff = await store.handoff(migration.id, { owner: 'exec-1', expectedVersion: 1 }, 'exec-2');
    const intruder = await store.takeOver(migration.id, { newOwner: 'exec-3' }).catch((err: Error) => err);
    const taken = await store.takeOver(migration.id, { newOwner: 'exec-2' });

    // Assess
    expect(handedOff).toMatchObject({ owner: 'exec-1', version: 2, handoffTo: 'exec-2' });
    expect(intruder).toBeInstanceOf(ConflictError);
    expect((intruder as Error).message).toMatch(/handed it off to exec-2/);
    expect(taken).toMatchObject({ owner: 'exec-2', version: 3 });
    expect(taken.handoffTo).toBeUndefined();
  });

  it.each([
    ['the previous owner is the one that started it', { allowIfOwner: 'exec-1' }],
    ['a liveness check found the owner not running', { force: true }],
  ])('takes over a live lease when %s', async (_case, permission) => {
    // Prepare
    const migration = await store.begin(beginInput({ owner: 'exec-1', source: nextSvm() }));

    // Act
    const taken = await store.takeOver(migration.id, { newOwner: 'exec-2', ...permission });

    // Assess
    expect(taken).toMatchObject({ owner: 'exec-2', version: 2 });
  });

  it('refuses a takeover of a released migration: its lock is gone', async () => {
    // Prepare
    const migration = await store.begin(beginInput({ owner: 'exec-1', source: nextSvm() }));
    await store.release(
      migration.id,
      { owner: 'exec-1', expectedVersion: 1 },
      { status: 'migrate_complete' },
    );

    // Act
    const takeOver = store.takeOver(migration.id, { newOwner: 'exec-2', force: true });

    // Assess
    await expect(takeOver).rejects.toThrow(/no longer holds the lock .*: it was released/);
  });

  it('lists migrations newest first, a page at a time', async () => {
    // Prepare
    const listing = await freshTable();
    const listed = new MigrationStore(listing.client, listing.tableName, { clock: clock.now });
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      clock.advance(1);
      ids.push((await listed.begin(beginInput({ source: nextSvm() }))).id);
    }

    // Act
    const first = await listed.list({ limit: 3 });
    const second = await listed.list({ limit: 3, cursor: first.cursor });
    listing.close();

    // Assess
    expect([...first.items, ...second.items].map((migration) => migration.id)).toEqual([...ids].reverse());
    expect(second.cursor).toBeUndefined();
  });
});

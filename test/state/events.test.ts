// The event log: ordered by time, then by arrival within one instant; each event expires by TTL.
import { MigrationStore } from '../../lambdas/state/migration-store';
import { type FreshTable, freshTable } from '../support/dynamodb';
import { beginInput, testClock } from './fixtures';

describe('MigrationStore event log', () => {
  let table: FreshTable;
  const clock = testClock();
  let store: MigrationStore;

  beforeAll(async () => {
    table = await freshTable();
    store = new MigrationStore(table.client, table.tableName, { clock: clock.now, eventRetentionDays: 90 });
  });
  afterAll(() => table.close());

  it('keeps events in time order, same-instant events in arrival order, each with its TTL', async () => {
    // Prepare
    const migration = await store.begin(beginInput());
    const at = ['2026-05-28T10:00:02.000Z', '2026-05-28T10:00:01.000Z', '2026-05-28T10:00:02.000Z'];

    // Act
    for (const [n, time] of at.entries()) {
      await store.appendEvent(migration.id, {
        type: `step-${n}`,
        phase: 'transferring',
        detail: { n },
        at: time,
      });
    }
    const events = await store.listEvents(migration.id);

    // Assess
    expect(events.map((event) => event.type)).toEqual(['step-1', 'step-0', 'step-2']);
    expect(events.map((event) => event.id)).toEqual([
      '2026-05-28T10:00:01.000Z#0000',
      '2026-05-28T10:00:02.000Z#0000',
      '2026-05-28T10:00:02.000Z#0001',
    ]);
    const ninetyDays = 90 * 86_400;
    expect(events[0]).toEqual({
      id: '2026-05-28T10:00:01.000Z#0000',
      type: 'step-1',
      phase: 'transferring',
      detail: { n: 1 },
      at: '2026-05-28T10:00:01.000Z',
      expiresAt: Date.parse('2026-05-28T10:00:01.000Z') / 1000 + ninetyDays,
    });
  });

  it('reads on after a given event, a page at a time, without the other item kinds', async () => {
    // Prepare
    const migration = await store.begin(beginInput({ source: { cluster: 'source', svm: 'svm_paged' } }));
    await store.putVolumes(migration.id, migration.owner, [{ name: 'vol_a' }]);
    for (let second = 10; second < 15; second++) {
      await store.appendEvent(migration.id, {
        type: 'poll',
        phase: 'transferring',
        at: `2026-05-28T10:00:${second}.000Z`,
      });
    }

    // Act
    const first = await store.listEvents(migration.id, { limit: 2 });
    const rest = await store.listEvents(migration.id, { after: first[1].id });

    // Assess
    expect(first.map((event) => event.at)).toEqual(['2026-05-28T10:00:10.000Z', '2026-05-28T10:00:11.000Z']);
    expect(rest.map((event) => event.at)).toEqual([
      '2026-05-28T10:00:12.000Z',
      '2026-05-28T10:00:13.000Z',
      '2026-05-28T10:00:14.000Z',
    ]);
  });
});

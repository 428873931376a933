// Issue 3, must-show 3: two executions started at once for the same SVM. The SVM lock lets one
// proceed to Migrated; the other fails fast in CheckState with ConflictError and changes
// nothing: one migration record, complete, and clusters that match it.
import { DEMO_SVM, HAPPY_PATH, Harness, describeRun, expectMigrated, expectOrder, explained, filesByVolume } from './harness';

describe('two executions of one SVM at once', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness?.stop();
  });

  it('lets one migrate and fails the other fast with ConflictError', async () => {
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));

    const executions = [harness.start('first'), harness.start('second')];
    const results = await Promise.all(executions.map((e) => e.result));

    const describe = () =>
      executions.map((e, i) => `execution ${e.name}:\n${describeRun({ result: results[i], history: e.events })}`).join('\n\n');
    await explained(describe, async () => {
      const winner = results.findIndex((r) => r.status === 'SUCCEEDED');
      expect(winner).toBeGreaterThanOrEqual(0);
      const loser = executions[1 - winner];
      expect(results[1 - winner]).toMatchObject({ status: 'FAILED', error: 'ConflictError' });
      // Failed fast: CheckState is the only state, and it was not retried.
      expect(loser.events.filter((e) => e.type === 'StateEntered').map((e) => e.state)).toEqual(['CheckState']);
      expect(loser.events.filter((e) => e.type === 'StateRetried')).toEqual([]);

      const outcome = await harness.outcome(executions[winner], results[winner]);
      expectOrder(outcome.states, HAPPY_PATH);
      const { items } = await harness.env.store.list();
      expect(items.map((m) => [m.owner, m.status])).toEqual([[executions[winner].executionArn, 'migrate_complete']]);
      expect(outcome.migration).toMatchObject({ generation: 1, restarts: 0 });
      // The loser never wrote to the migration: its events name the winner only.
      expect(JSON.stringify(outcome.events)).not.toContain(loser.executionArn);
      await expectMigrated(harness, outcome, before);
    });
  });
});

// Issue 14, failure 1 (writes lost): the orchestrator dies in Commit after the first destination
// interface came up but before the `destination_serving` milestone was saved; clients write to
// the destination meanwhile; the fresh execution meets the inter-cluster link down. DynamoDB
// says "not serving", the cluster says otherwise: the migration must roll forward (never restart
// the source and undo the destination) and every write the destination acknowledged must be
// readable at the end on the SVM that serves (invariant 2).
import { fenceTasks, killProcess } from '../../chaos/crash';
import { interceptTasks } from '../../chaos/interceptor';
import type { Execution } from '../../local/runner';
import { DEMO_SVM, describeRun, explained, filesByVolume, Harness, type SvmView } from './harness';

const SECOND_INTERFACE = 'lif_demo_02';
const WRITES = 24;

describe('a crash in Commit between the first destination interface and the milestone', () => {
  let harness: Harness;
  let restore: (() => void) | undefined;

  afterEach(async () => {
    restore?.();
    await harness?.stop();
  });

  it('rolls forward with the link down and keeps every write the destination acknowledged', async () => {
    // Prepare: the second destination interface refuses to come up, so Commit stops after the
    // first; when that first attempt fails the process dies (before the error reaches a Catch).
    harness = await Harness.start();
    fenceTasks(harness.env);
    let first: Execution | undefined;
    let blocker: string | undefined;
    let crashed = false;
    restore = interceptTasks(harness.env, {
      before: async (call) => {
        if (call.task !== 'commit' || crashed) return;
        const dump = await harness.destination.state();
        const lif = dump.interfaces.find((l) => l.name === SECOND_INTERFACE);
        if (!lif) throw new Error(`${SECOND_INTERFACE} was not prepared on the destination by pre-commit`);
        blocker = await harness.destination.injectError({
          method: 'PATCH',
          path: `/api/network/ip/interfaces/${lif.uuid}`,
          status: 500,
          count: 1000,
        });
      },
      after: async (call, outcome) => {
        if (
          call.task !== 'commit' ||
          crashed ||
          !outcome.error ||
          !first ||
          call.executionId !== first.executionArn
        )
          return;
        crashed = true;
        killProcess(first.executionArn);
        first.abort();
      },
    });
    first = harness.start();
    await first.result;
    expect(crashed).toBe(true);
    const atCrash = await harness.snapshot();
    const migration = await harness.migrationOf(first);

    // Clients write to the destination, which serves through its first interface.
    const volumes = (atCrash.destination.svm(DEMO_SVM)?.volumes ?? []).map((v) => v.name);
    const acknowledged = new Map<string, string>();
    for (let i = 0; i < WRITES; i++) {
      const volume = volumes[i % volumes.length];
      const file = `after-crash/${i}.txt`;
      const written = await harness.destination.writeFile(DEMO_SVM, volume, file, `acknowledged write ${i}`);
      acknowledged.set(`${volume}/${file}`, written.hash);
    }
    // The link goes down; the fault on the second interface is lifted.
    if (blocker) await harness.destination.removeFault(blocker);
    await Promise.all([harness.destination.linkDown(), harness.source.linkDown()]);

    // Act: a fresh execution resumes the migration. It rolls forward; its source cleanup needs the
    // link (the SVM peering is removed on both clusters), so with the link still down it ends
    // SourceCleanupFailed, "run again", and the operator's rerun once the link is back finishes.
    const resumed = await harness.finish(harness.start());
    await Promise.all([harness.destination.linkUp(), harness.source.linkUp()]);
    const outcome = await harness.finish(harness.start());

    // Assess
    await explained(
      () => `${describeRun(resumed)}\n\nrerun:\n${describeRun(outcome)}`,
      async () => {
        // The crash left the destination serving and DynamoDB not knowing it.
        expect(atCrash.destination.svm(DEMO_SVM)).toMatchObject({
          state: 'running',
          subtype: 'default',
          serving: true,
        });
        expect(atCrash.destination.svm(DEMO_SVM)?.interfaces.map((l) => [l.name, l.up])).toEqual([
          ['lif_demo_01', true],
          [SECOND_INTERFACE, false],
        ]);
        expect(migration).toMatchObject({ pointOfNoReturn: true, destinationServing: false });

        expect(resumed.states.slice(0, 3)).toEqual(['CheckState', 'ResumePoint', 'Commit']);
        expect(resumed.states).not.toContain('RestartSourceVserver');
        expect(resumed.states).toContain('SourceCleanup');
        expect(resumed.result).toMatchObject({ status: 'FAILED', error: 'SourceCleanupFailed' });
        expect(outcome.states).not.toContain('RestartSourceVserver');
        expect(outcome.result.status).toBe('SUCCEEDED');
        expect(outcome.migration).toMatchObject({
          phase: 'migrate_complete',
          destinationServing: true,
          restarts: 0,
        });

        // Invariant 2: every acknowledged write is readable on the SVM that serves.
        const { source, destination } = await harness.snapshot();
        expect(source.svm(DEMO_SVM)?.serving ?? false).toBe(false);
        const serving: SvmView | undefined = destination.svm(DEMO_SVM);
        expect(serving?.serving).toBe(true);
        const files = filesByVolume(serving);
        const readable = new Map(
          [...acknowledged.keys()].map((key) => {
            const [volume, ...rest] = key.split('/');
            return [key, files[volume]?.[rest.join('/')]];
          }),
        );
        expect(readable).toEqual(acknowledged);
      },
    );
  }, 180_000);
});

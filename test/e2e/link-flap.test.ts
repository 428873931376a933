// Issue 14, design gap: a link that flaps during the transfer used up restartLimit in under a
// second (InterClusterLinkError in PollTransfer went straight to UndoTransfer), although the
// transfers resume from their checkpoints. The link goes down and up every 300 ms for 10 s while
// the baselines cross it: the poll waits the outages out and the migration completes with no
// restart and no undo.
import { interceptTasks } from '../../chaos/interceptor';
import {
  DEMO_SVM,
  describeRun,
  expectMigrated,
  expectOrder,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
  waitFor,
} from './harness';

const FLAP_MS = 300;
const FLAPPING_FOR_MS = 10_000;
/** Slow enough that the baselines are still crossing the link while it flaps. */
const SLOW_LINK_BYTES_PER_SEC = 256 * 1024;

describe('a flapping inter-cluster link during the transfer', () => {
  let harness: Harness;
  let restore: (() => void) | undefined;

  afterEach(async () => {
    restore?.();
    await harness?.stop();
  });

  it('is waited out inside the poll: the migration completes without a restart', async () => {
    // Prepare: the link flaps from the transfer's start for 10 s, or until pre-commit begins
    // (the flapping stops, link up, before PreCommit touches a cluster).
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    await harness.destination.settings({ linkBandwidthBytesPerSec: SLOW_LINK_BYTES_PER_SEC });
    let flapping: Promise<number> | undefined;
    let stop = false;
    const flap = async (): Promise<number> => {
      const until = Date.now() + FLAPPING_FOR_MS;
      let downs = 0;
      while (!stop && Date.now() < until) {
        await Promise.all([harness.destination.linkDown(), harness.source.linkDown()]);
        downs++;
        await new Promise((resolve) => setTimeout(resolve, FLAP_MS));
        await Promise.all([harness.destination.linkUp(), harness.source.linkUp()]);
        await new Promise((resolve) => setTimeout(resolve, FLAP_MS));
      }
      await harness.destination.settings({ linkBandwidthBytesPerSec: 0 });
      return downs;
    };
    restore = interceptTasks(harness.env, {
      after: async (call) => {
        if (call.task === 'startTransfer' && !flapping) flapping = flap();
      },
      before: async (call) => {
        if (call.task !== 'preCommit' || !flapping) return;
        stop = true;
        await flapping;
      },
    });

    // Act
    const execution = harness.start();
    await waitFor('the flapping to begin', () => flapping, 120_000, 20);
    const downs = await flapping!;
    const outcome = await harness.finish(execution);

    // Assess
    await explained(
      () => `link downs: ${downs}\n${describeRun(outcome)}`,
      async () => {
        expect(downs).toBeGreaterThan(1);
        // The poll met the link down and waited it out.
        expect(outcome.events.filter((e) => e.type === 'link_outage_waited_out').length).toBeGreaterThan(0);
        expect(
          outcome.states.filter((s) => ['UndoTransfer', 'UndoSetup', 'DecideRestart'].includes(s)),
        ).toEqual([]);
        expectOrder(outcome.states, HAPPY_PATH);
        expect(outcome.migration).toMatchObject({ restarts: 0, generation: 1 });
        await expectMigrated(harness, outcome, before);
      },
    );
  }, 180_000);
});

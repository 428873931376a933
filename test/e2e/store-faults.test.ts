// Issue 14 failure 5: DynamoDB hiccups during the transfer. The migrate-state store reaches
// DynamoDB Local through a loopback proxy that resets the connections of N requests while
// PollTransfer runs; the real SDK client gives up after its own retries, the store's error is a
// TransientError, the state machine retries PollTransfer in place, and the migration completes
// without UndoTransfer or a restart.

import { type FaultyProxy, startFaultyProxy } from '../../chaos/tcp-proxy';
import { ENDPOINT_ENV } from '../support/global-setup';
import {
  DEMO_SVM,
  describeRun,
  entered,
  expectMigrated,
  expectOrder,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
  retriesOf,
  UNDO_STATES,
  waitFor,
} from './harness';

/** Slow enough that the baseline is still crossing the link while the resets happen. */
const SLOW_LINK_BYTES_PER_SEC = 256 * 1024;
/** The SDK's own attempts per call (its default): more resets than that reach the store. */
const SDK_ATTEMPTS = 3;

describe('DynamoDB failing during the transfer', () => {
  let harness: Harness;
  let proxy: FaultyProxy;

  afterEach(async () => {
    await harness?.stop();
    await proxy?.close();
  });

  it.each([SDK_ATTEMPTS + 1, 3 * SDK_ATTEMPTS])(
    '%s reset requests during PollTransfer are retried in place; no undo, no restart',
    async (resets) => {
      // Prepare
      proxy = await startFaultyProxy(process.env[ENDPOINT_ENV] as string);
      harness = await Harness.start({ dynamoDbEndpoint: proxy.endpoint });
      const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
      await harness.destination.settings({ linkBandwidthBytesPerSec: SLOW_LINK_BYTES_PER_SEC });

      // Act: once the poll loop runs (the baseline held back by the slow link), fail the next requests.
      const execution = harness.start();
      await waitFor('the transfer poll loop', () => entered(execution, 'PollTransfer'), 60_000);
      proxy.resetNext(resets);
      await waitFor('the resets to happen', () => proxy.resetsLeft() === 0, 60_000);
      await harness.destination.settings({ linkBandwidthBytesPerSec: 0 });
      const outcome = await harness.finish(execution);

      // Assess
      await explained(
        () => `resets done: ${proxy.resetsDone()}\n${describeRun(outcome)}`,
        async () => {
          const failures = outcome.history.filter(
            (e) => e.type === 'StateFailed' && e.state === 'PollTransfer',
          );
          // Each failed attempt of the task used up the SDK's own attempts first.
          expect(failures.length).toBeGreaterThanOrEqual(1);
          expect(failures.length).toBeLessThanOrEqual(Math.ceil(resets / SDK_ATTEMPTS));
          expect(failures.map((e) => e.error)).toEqual(failures.map(() => 'TransientError'));
          expect(failures[0].cause).toContain('DynamoDB could not be reached');
          expect(failures[0].cause).toContain('ECONNRESET');
          expect(retriesOf(outcome.history, 'PollTransfer')).toHaveLength(failures.length);
          expect(outcome.states.filter((s) => UNDO_STATES.includes(s))).toEqual([]);
          expectOrder(outcome.states, HAPPY_PATH);
          expect(outcome.migration).toMatchObject({ restarts: 0, generation: 1 });
          await expectMigrated(harness, outcome, before);
        },
      );
    },
  );
});

// The transfer poll: it reports each volume, surfaces a down inter-cluster link as
// InterClusterLinkError, and once the link is back restarts the failed transfers until ready.

import { pollTransfer, setup, startTransfer } from '../../lambdas/domain/cluster';
import { MigrationError } from '../../lambdas/errors';
import { DEMO_VOLUMES, type Harness, startHarness } from './cluster-harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

it('a link down fails the poll with InterClusterLinkError; after it comes back the transfers restart and finish', async () => {
  // Prepare
  const destination = h.ctx.clusters.destination;
  await setup(h.ctx);
  await h.dstSim.linkDown();

  // Act: the baselines start and fail on the link
  const started = await startTransfer(h.ctx);
  expect(started.volumes.map((v) => v.volume)).toEqual(DEMO_VOLUMES);
  await destination.poll(
    async () =>
      (await destination.snapmirror.listRelationships()).every((r) => r.transfer?.state === 'failed')
        ? true
        : undefined,
    () => new Error('transfers never failed'),
  );
  const err = await pollTransfer(h.ctx, { lagThresholdSeconds: 60 }).catch((e: unknown) => e);

  // Assess
  expect(err).toBeInstanceOf(MigrationError);
  expect((err as MigrationError).name).toBe('InterClusterLinkError');

  // Act: the link is back; the next poll restarts every failed baseline
  await h.dstSim.linkUp();
  const restarted = await pollTransfer(h.ctx, { lagThresholdSeconds: 60 });
  expect(restarted.ready).toBe(false);
  expect(restarted.volumes.every((v) => v.action === 'restarted')).toBe(true);

  const ready = await destination.poll(
    async () => {
      const progress = await pollTransfer(h.ctx, { lagThresholdSeconds: 60 });
      return progress.ready ? progress : undefined;
    },
    () => new Error('transfers never became ready'),
  );
  expect(
    ready.volumes.every(
      (v) => v.state === 'snapmirrored' && v.bytesTransferred > 0 && v.lagSeconds !== undefined,
    ),
  ).toBe(true);
  expect(h.checkpoints.some((c) => c.patch.transferState === 'success')).toBe(true);
});

// Issue 14, failure 2 (stranded after the point of no return): a volume created on the source
// SVM during the transfer was never mirrored; the difference was found by the verification
// inside commit, after the destination served, and the new volume's files were unreachable on
// the stopped source. The source inventory is read again at every poll: the new volume joins
// the migration (destination volume, relationship, baseline) and its files arrive.
import { interceptTasks } from '../../chaos/interceptor';
import { DEMO_SVM, describeRun, expectMigrated, explained, filesByVolume, Harness } from './harness';

// Sorts last both in DynamoDB (bytes) and in the cluster views (locale).
const NEW_VOLUME = 'vol99';
const FILES = 5;

describe('the source SVM changes during the transfer', () => {
  let harness: Harness;
  let restore: (() => void) | undefined;

  afterEach(async () => {
    restore?.();
    await harness?.stop();
  });

  it('a volume created on the source while transferring is added to the migration and its files arrive', async () => {
    // Prepare: once the transfer has started, a volume is created on the source through its
    // ONTAP API and clients write files to it (the source still serves).
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    let created = false;
    restore = interceptTasks(harness.env, {
      after: async (call) => {
        if (call.task !== 'startTransfer' || created) return;
        created = true;
        const source = await harness.env.dependencies.connect(harness.env.clusters.source.name, 'source');
        const svm = await source.svms.findByName(DEMO_SVM);
        const [aggregate] = await source.aggregates.list();
        await source.volumes.create({
          name: NEW_VOLUME,
          svm: { name: DEMO_SVM, uuid: svm?.uuid ?? '' },
          size: 64 * 1024 ** 2,
          type: 'rw',
          aggregates: [{ name: aggregate.name }],
          nas: { path: `/${NEW_VOLUME}` },
        });
        for (let i = 0; i < FILES; i++)
          await harness.source.writeFile(
            DEMO_SVM,
            NEW_VOLUME,
            `new/${i}.txt`,
            `written during the transfer ${i}`,
          );
      },
    });

    // Act
    const execution = harness.start();
    const outcome = await harness.finish(execution);

    // Assess
    await explained(
      () => describeRun(outcome),
      async () => {
        expect(created).toBe(true);
        expect(outcome.events.find((e) => e.type === 'source_volumes_added')?.detail).toEqual({
          volumes: [NEW_VOLUME],
        });
        expect(outcome.migration).toMatchObject({ restarts: 0 });
        const written = Object.keys(
          (await harness.snapshot()).destination.svm(DEMO_SVM)?.volumes.find((v) => v.name === NEW_VOLUME)
            ?.files ?? {},
        );
        expect(written.filter((f) => f.startsWith('new/'))).toHaveLength(FILES);
        const expected = {
          ...before,
          [NEW_VOLUME]: filesByVolume((await harness.snapshot()).destination.svm(DEMO_SVM))[NEW_VOLUME],
        };
        await expectMigrated(harness, outcome, expected);
      },
    );
  }, 180_000);
});

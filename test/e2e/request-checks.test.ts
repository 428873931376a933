// Issue 13 ("requests checked before anything is created") and issue 14 failure 6: a request that
// cannot work (a cluster typo, the source as destination, an SVM or aggregate that does not exist,
// wrong credentials) ends the execution at CheckState with the error naming the field and the
// reason; no migration is recorded, the SVM is not locked, nothing is created on the clusters, and
// a valid start afterwards completes.
import {
  DEMO_SVM,
  DESTINATION,
  describeRun,
  expectDestinationEmpty,
  expectMigrated,
  expectOrder,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
  INPUT,
  SOURCE,
} from './harness';

describe('requests checked at CheckState, before anything is created', () => {
  let harness: Harness;
  let wrongPassword: Harness | undefined;
  let fixedPassword: Harness | undefined;

  beforeAll(async () => {
    harness = await Harness.start();
  });

  afterAll(async () => {
    await fixedPassword?.stop();
    await wrongPassword?.stop();
    await harness?.stop();
  });

  async function expectNothingRecorded(): Promise<void> {
    expect((await harness.env.store.list({ limit: 10 })).items).toEqual([]);
    expect(await harness.env.store.findActiveForSvm(SOURCE.cluster, SOURCE.svm)).toBeUndefined();
    await expectDestinationEmpty(harness);
  }

  it.each([
    {
      what: 'a destination cluster that is not configured',
      input: { ...INPUT, destination: { cluster: 'cluster-zzz' } },
      error: 'NotFoundError',
      message: /^destination\.cluster: cluster "cluster-zzz" is not configured/,
    },
    {
      what: 'the source cluster as destination',
      input: { ...INPUT, destination: { cluster: SOURCE.cluster } },
      error: 'ValidationError',
      message: /^destination\.cluster must differ from source\.cluster/,
    },
    {
      what: 'a source SVM that does not exist',
      input: { ...INPUT, source: { ...SOURCE, svm: 'svm_nope' } },
      error: 'NotFoundError',
      message: /^source SVM svm_nope does not exist/,
    },
    {
      what: 'a destination aggregate that does not exist',
      input: { ...INPUT, destination: { ...DESTINATION, aggregates: ['aggr_nope'] } },
      error: 'NotFoundError',
      message: /^destination aggregates not found: aggr_nope/,
    },
  ])(
    '$what: the start fails at CheckState with $error, nothing recorded or locked',
    async ({ input, error, message }) => {
      // Act
      const execution = harness.env.start(input);
      const outcome = await execution.result;

      // Assess
      const states = execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.state);
      await explained(
        () => describeRun({ result: outcome, history: execution.events }),
        async () => {
          expect(outcome).toMatchObject({ status: 'FAILED', error });
          expect(JSON.parse(outcome.cause ?? '{}').errorMessage).toMatch(message);
          // Never retried, never restarted: the execution ended in its first state.
          expect(states).toEqual(['CheckState']);
          await expectNothingRecorded();
        },
      );
    },
  );

  it('wrong destination credentials: AuthenticationError naming the cluster, the SVM not locked; after the fix a fresh start completes', async () => {
    // Prepare: the same clusters, table and SVM, but this environment knows a wrong password for the destination.
    const { source, destination } = harness.env.clusters;
    wrongPassword = await Harness.start({
      clusters: { source, destination: { ...destination, password: 'not-the-password' } },
      tableName: harness.tableName,
    });
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));

    // Act
    const refused = wrongPassword.start();
    const refusal = await refused.result;

    // Assess
    await explained(
      () => describeRun({ result: refusal, history: refused.events }),
      async () => {
        expect(refusal).toMatchObject({ status: 'FAILED', error: 'AuthenticationError' });
        const cause = JSON.parse(refusal.cause ?? '{}').errorMessage as string;
        expect(cause).toMatch(
          new RegExp(`^${destination.name} refused the configured credentials \\(HTTP 401\\)`),
        );
        expect(cause).not.toContain('not-the-password');
        expect(refused.events.filter((e) => e.type === 'StateEntered').map((e) => e.state)).toEqual([
          'CheckState',
        ]);
        await expectNothingRecorded();
      },
    );

    // Act: the password fixed (an environment over the same clusters and table, with the right one).
    fixedPassword = await Harness.start({ clusters: harness.env.clusters, tableName: harness.tableName });
    const outcome = await fixedPassword.finish(fixedPassword.start());

    // Assess
    await explained(
      () => describeRun(outcome),
      async () => {
        expectOrder(outcome.states, HAPPY_PATH);
        expect(outcome.migration).toMatchObject({ restarts: 0, generation: 1 });
        await expectMigrated(fixedPassword as Harness, outcome, before);
      },
    );
  });
});

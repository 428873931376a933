// Issue 3, must-show 4 (invariant 6): state transitions do not grow with the number of volumes.
// Each step works on every volume inside one task, so a 4-volume and a 200-volume migration
// enter the same states; only the transfer's poll loop runs as often as the transfer takes.
import {
  DEMO_SVM,
  describeRun,
  expectMigrated,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
  type Outcome,
  POLL_LOOP_STATES,
  transitionsApartFromPolls,
} from './harness';

describe('state transitions per migration', () => {
  async function migrate(volumes: number): Promise<Outcome> {
    const harness = await Harness.start({ volumes, fileBytes: 64 });
    try {
      const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
      expect(Object.keys(before)).toHaveLength(volumes);
      const outcome = await harness.finish(harness.start());
      await explained(
        () => describeRun(outcome),
        () => expectMigrated(harness, outcome, before),
      );
      return outcome;
    } finally {
      await harness.stop();
    }
  }

  it('are the same for 4 and for 200 volumes, apart from poll iterations', async () => {
    const four = await migrate(4);
    const twoHundred = await migrate(200);

    const describe = () => `4 volumes:\n${describeRun(four)}\n\n200 volumes:\n${describeRun(twoHundred)}`;
    await explained(describe, () => {
      const apartFromPolls = (o: Outcome) => o.states.filter((s) => !POLL_LOOP_STATES.has(s));
      expect(apartFromPolls(four)).toEqual(HAPPY_PATH.filter((s) => !POLL_LOOP_STATES.has(s)));
      expect(apartFromPolls(twoHundred)).toEqual(apartFromPolls(four));
      expect(transitionsApartFromPolls(twoHundred.states)).toBe(transitionsApartFromPolls(four.states));
      expect(four.volumes).toHaveLength(4);
      expect(twoHundred.volumes).toHaveLength(200);
    });
  }, 300_000);
});

// The randomized campaign inside `npm test`: 30 schedules drawn by fast-check from a seed
// (CHAOS_SEED to change it, CHAOS_RUNS for more), each a migration checked against the
// invariants. A failure is shrunk to a minimal schedule and reported with the seed and path that
// replay it. The long campaign is `npm run chaos -- --runs 1000`.
import { runCampaign } from '../../chaos/campaign';
import { ChaosLab } from '../../chaos/lab';
import { addScenario, emptyReport, renderReport } from '../../chaos/report';
import { ENDPOINT_ENV } from '../support/global-setup';

const SEED = Number(process.env.CHAOS_SEED ?? 4_2026);
const RUNS = Number(process.env.CHAOS_RUNS ?? 30);
/** A guard against a hung scenario, not a speed target: a loaded machine takes several times a quiet one's 2-3 s. */
const GUARD_MS_PER_RUN = 20_000;

describe(`random fault schedules (seed ${SEED})`, () => {
  const lab = new ChaosLab({ dynamoDbEndpoint: process.env[ENDPOINT_ENV] });

  afterAll(() => lab.close());

  it(
    `keeps every invariant over ${RUNS} random schedules`,
    async () => {
      // Act
      const report = emptyReport();
      const outcome = await runCampaign(lab, {
        seed: SEED,
        runs: RUNS,
        onScenario: (result) => addScenario(report, result),
      });
      // Assess
      if (outcome.failure) {
        const f = outcome.failure;
        throw new Error(
          `minimal failing schedule "${f.schedule}" (scenario seed ${f.scenarioSeed}; replay: ${f.replay})\n${f.violations.join('\n')}\n\n${renderReport(report)}`,
        );
      }
      expect(outcome.runs).toBe(RUNS);
      expect({ violations: report.invariantViolations, writesLost: report.writesLost }).toEqual({
        violations: 0,
        writesLost: 0,
      });
      expect(report.remigrations.completed).toBe(report.remigrations.started);
    },
    RUNS * GUARD_MS_PER_RUN,
  );
});

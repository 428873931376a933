// The randomized campaign: fast-check draws schedules (and each scenario's seed) from one seed,
// runs each as a scenario, and on a failure shrinks to a minimal failing schedule, reported
// with the seed and path that replay exactly that case.
import fc from 'fast-check';
import type { ChaosLab } from './lab';
import { runScenario, type ScenarioResult } from './scenario';
import {
  type Fault,
  formatSchedule,
  type Kind,
  kindsFor,
  MAX_COUNT,
  STEPS,
  type Step,
  takesCount,
  wheresFor,
} from './schedule';

export interface CampaignOptions {
  seed: number;
  runs: number;
  /** fast-check's path of one case: with the seed, replays exactly that case. */
  path?: string;
  /** Called with every scenario run, shrinking runs included. */
  onScenario?: (result: ScenarioResult) => void;
}

export interface CampaignFailure {
  schedule: string;
  scenarioSeed: number;
  seed: number;
  path?: string;
  violations: string[];
  /** How to run that case again. */
  replay: string;
}

export interface CampaignOutcome {
  runs: number;
  failure?: CampaignFailure;
}

/** Counts kept small: a few retries, a few repeats, so a schedule both bites and heals. */
const MAX_DRAWN_COUNT = Math.min(MAX_COUNT, 4);

/** Any of the @WHERE values the fault may name there, or none. */
function whereArbitrary(step: Step, kind: Kind): fc.Arbitrary<Fault['where']> {
  const wheres = wheresFor(step, kind);
  return wheres.length > 0 ? fc.constantFrom(...wheres) : fc.constant<Fault['where']>(undefined);
}

function faultOf(step: Step, kind: Kind): fc.Arbitrary<Fault> {
  const count = takesCount(kind) ? fc.integer({ min: 1, max: MAX_DRAWN_COUNT }) : fc.constant(1);
  return fc
    .record({ count, where: whereArbitrary(step, kind) })
    .map(({ count: c, where: w }) => ({ step, kind, count: c, ...(w && { where: w }) }) as Fault);
}

function faultArbitrary(): fc.Arbitrary<Fault> {
  return fc
    .constantFrom<Step>(...STEPS)
    .chain((step) => fc.constantFrom<Kind>(...kindsFor(step)).chain((kind) => faultOf(step, kind)));
}

/** The steps the inter-cluster link matters at: a crash there meets the link fault on resume. */
const LINK_STEPS: readonly Step[] = ['transfer', 'cutover', 'precommit', 'commit'];

/**
 * What production combines and uniform draws rarely do: a crash of the orchestrator in a step
 * whose resume meets the link down (or the network gone), with one API slow somewhere.
 */
function compoundArbitrary(): fc.Arbitrary<Fault[]> {
  return fc.constantFrom(...LINK_STEPS).chain((step) =>
    fc.tuple(
      faultOf(step, 'crash'),
      fc.oneof(faultOf(step, 'link-down'), faultOf(step, 'network')),
      fc.constantFrom<Step>(...STEPS).chain((at) => faultOf(at, 'latency')),
    ),
  );
}

/**
 * One to three faults, and the scenario's own seed (the client's choices, `any`, crash timing).
 * An undo's intermittent faults stay within its retry budget: past it the design ends the run
 * UndoFailed for an operator (DESIGN.md), which the checker reports as invariant 3 (see
 * test/chaos/checker.test.ts); the campaign looks for failures the design claims to survive.
 */
export function scheduleArbitrary(
  retryBudget: number,
): fc.Arbitrary<{ faults: Fault[]; scenarioSeed: number }> {
  return fc.record({
    faults: fc
      .oneof(
        { arbitrary: fc.array(faultArbitrary(), { minLength: 1, maxLength: 3 }), weight: 3 },
        { arbitrary: compoundArbitrary(), weight: 1 },
      )
      .filter((faults) => withinUndoRetryBudget(faults, retryBudget)),
    scenarioSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  });
}

/** The 503s of one undo add up (each fault fails its own calls); refused connections last as long as the longest. */
function withinUndoRetryBudget(faults: readonly Fault[], retryBudget: number): boolean {
  return (['undo-setup', 'undo-transfer', 'undo-precommit'] as const).every((step) => {
    const mine = faults.filter((f) => f.step === step);
    const transient = mine.filter((f) => f.kind === 'transient').reduce((n, f) => n + f.count, 0);
    const network = Math.max(0, ...mine.filter((f) => f.kind === 'network').map((f) => f.count));
    return transient + network <= retryBudget;
  });
}

export async function runCampaign(lab: ChaosLab, options: CampaignOptions): Promise<CampaignOutcome> {
  // Failing runs by schedule and seed: the shrunk counterexample's violations are reported as seen.
  const failed = new Map<string, ScenarioResult>();
  const details = await fc.check(
    fc.asyncProperty(scheduleArbitrary(lab.retryMaxAttempts), async ({ faults, scenarioSeed }) => {
      const result = await runScenario(lab, { faults, seed: scenarioSeed });
      options.onScenario?.(result);
      if (!result.passed) failed.set(`${result.schedule}#${result.seed}`, result);
      return result.passed;
    }),
    {
      seed: options.seed,
      numRuns: options.runs,
      ...(options.path && { path: options.path }),
      endOnFailure: false,
    },
  );
  if (!details.failed || !details.counterexample) return { runs: details.numRuns };
  const [{ faults, scenarioSeed }] = details.counterexample;
  const result = failed.get(`${formatSchedule(faults)}#${scenarioSeed}`);
  return {
    runs: details.numRuns,
    failure: {
      schedule: formatSchedule(faults),
      scenarioSeed,
      seed: details.seed,
      ...(details.counterexamplePath && { path: details.counterexamplePath }),
      violations: (result?.violations ?? []).map((v) => `invariant ${v.invariant}: ${v.message}`),
      replay: `npm run chaos -- --seed ${details.seed} --path ${details.counterexamplePath ?? ''} --no-matrix`,
    },
  };
}

// The step table (lambdas/steps.ts) against the synthesized definition and CheckState's
// resumePoint: from the table alone, the undo chain each step's failure runs and where a fresh
// execution resumes in every phase and status; then the definition's Catch targets, the Next of
// each undo and the ResumePoint Choice, and resumePoint, are read and compared with it. A
// failure and a resumed rollback in the same phase run the same undo chain.
import { resumePoint } from '../../lambdas/domain/migration/check-state';
import { MIGRATION_STATES, type MigrationRecord, type MigrationState } from '../../lambdas/state/records';
import {
  ALREADY_COMPLETE,
  COMPLETE_PHASE,
  FORWARD_STEPS,
  type ForwardStep,
  POLL_ACTIONS,
  PRECHECK,
  PRECOMMIT_ACTIONS,
  RESTART_ACTIONS,
  RESUME_POINTS,
  type ResumePoint,
  UNDO_STEPS,
  type UndoTask,
} from '../../lambdas/steps';
import { CLUSTER_TASKS } from '../../lambdas/tasks';
import { type AslDefinition, type AslState, synthesizeDefinition } from '../../local/definition';

type Catcher = { ErrorEquals: string[]; Next: string };
type ChoiceRule = { Variable: string; StringEquals?: string; BooleanEquals?: boolean; Next: string };

// ---- what the table says, derived from its entries alone -------------------------------------

const undoTasks = Object.keys(UNDO_STEPS) as UndoTask[];
const ponrIndex = FORWARD_STEPS.findIndex((s) => s.pointOfNoReturn);

/** Claims 4-6: a failure of step i undoes it and every step before it, the latest first. */
function expectedChain(i: number): UndoTask[] {
  const undos = FORWARD_STEPS.slice(0, i + 1)
    .map((s) => s.undo)
    .filter((u): u is UndoTask => u !== null);
  return [...new Set(undos.reverse())];
}

/** The step whose phases hold `phase`, skipped forward past steps the options leave out; -1 for none. */
function claimingStep(phase: MigrationState, autoSourceCleanup: boolean): number {
  let i = FORWARD_STEPS.findIndex((s) => s.phases.includes(phase));
  while (i >= 0 && FORWARD_STEPS[i].onlyIf === 'autoSourceCleanup' && !autoSourceCleanup) i++;
  return i;
}

interface Expected {
  resumeAt: ResumePoint;
  /** The state the ResumePoint Choice must send it to. */
  state: string;
  /** For a rollback: the undo tasks still to run, from that state on. */
  chain?: UndoTask[];
  /** For a rollback: the chain the failure of the phase's step runs (the resumed one is its tail). */
  failureChain?: UndoTask[];
}

function expected(
  phase: MigrationState,
  status: MigrationState,
  pointOfNoReturn: boolean,
  autoSourceCleanup: boolean,
): Expected {
  if (phase === COMPLETE_PHASE) return { resumeAt: ALREADY_COMPLETE, state: 'AlreadyComplete' };
  const claimed = claimingStep(phase, autoSourceCleanup);
  if (status === 'rolling_back') {
    // The phase's step, or the nearest before it with an undo; no step: the whole chain.
    let i = claimed < 0 ? FORWARD_STEPS.length - 1 : claimed;
    while (i > 0 && FORWARD_STEPS[i].undo === null) i--;
    const failureChain = expectedChain(i);
    const at = failureChain.findIndex((u) => UNDO_STEPS[u].resumeAt);
    const first = failureChain[at];
    return {
      resumeAt: UNDO_STEPS[first].resumeAt!,
      state: UNDO_STEPS[first].state,
      chain: failureChain.slice(at),
      failureChain,
    };
  }
  let i = Math.max(claimed, 0);
  if (pointOfNoReturn && i < ponrIndex) i = ponrIndex;
  while (FORWARD_STEPS[i].onlyIf === 'autoSourceCleanup' && !autoSourceCleanup) i++;
  while (!FORWARD_STEPS[i].resumeAt) i--;
  const step = FORWARD_STEPS[i];
  return { resumeAt: step.resumeAt!, state: step.entry ?? step.state };
}

// ---- what the definition does ---------------------------------------------------------------

describe('the step table', () => {
  let definition: AslDefinition;
  let functions: Record<string, string>;
  const state = (name: string): AslState => {
    const found = definition.States[name];
    if (!found) throw new Error(`the definition has no state ${name}`);
    return found;
  };
  const taskOf = (name: string): string | undefined => functions[state(name).Resource as string];
  const failureTarget = (name: string): string =>
    (state(name).Catch as Catcher[]).find((c) => c.ErrorEquals.includes('States.ALL'))!.Next;
  /** The undo tasks run from `start` by following Next, and the state after the last one. */
  const undoChainFrom = (start: string): { undos: string[]; after: string } => {
    const undos: string[] = [];
    let at = start;
    while (undoTasks.includes(taskOf(at) as UndoTask)) {
      undos.push(taskOf(at)!);
      at = state(at).Next as string;
    }
    return { undos, after: at };
  };
  /** Where a forward step's failure past its retries starts undoing (through the point of no return's question). */
  const undoStartOf = (step: ForwardStep): string => {
    const target = failureTarget(step.state);
    if (!step.pointOfNoReturn) return target;
    // The point of no return asks the destination first; only "not serving" undoes.
    const ask = state(state(target).Next as string);
    const notServing = (ask.Choices as ChoiceRule[]).find((c) => c.BooleanEquals === false);
    expect({ step: step.state, asks: taskOf(target), notServing: notServing?.Variable }).toEqual({
      step: step.state,
      asks: 'recordCommitFailure',
      notServing: '$.commitFailure.destinationServing',
    });
    return notServing!.Next;
  };

  beforeAll(() => {
    ({ definition, functions } = synthesizeDefinition({}));
  });

  it("gives every forward phase to exactly one step, in the phases' order", () => {
    const forwardPhases = MIGRATION_STATES.slice(0, MIGRATION_STATES.indexOf(COMPLETE_PHASE));
    expect(FORWARD_STEPS.flatMap((s) => s.phases)).toEqual(forwardPhases);
  });

  it.each(FORWARD_STEPS.map((s, i) => [s.state, i] as const))(
    'runs, when %s fails past its retries, the undo of it and of every step before it',
    (name, i) => {
      const step = FORWARD_STEPS[i];
      expect(taskOf(step.state)).toBe(step.task);
      if (step.undo === null) {
        // Only forward: its failure reaches no undo and ends the execution.
        let at = failureTarget(step.state);
        const visited: string[] = [];
        while (state(at).Next) {
          visited.push(taskOf(at) ?? at);
          at = state(at).Next as string;
        }
        expect({
          step: name,
          undos: visited.filter((t) => undoTasks.includes(t as UndoTask)),
          end: state(at).Type,
        }).toEqual({ step: name, undos: [], end: 'Fail' });
        return;
      }
      expect({ step: name, chain: undoChainFrom(undoStartOf(step)) }).toEqual({
        step: name,
        chain: { undos: expectedChain(i), after: 'DecideRestart' },
      });
      // A relocation that fails takes the step's failure path; only cluster steps relocate.
      expect(CLUSTER_TASKS).toContain(step.task);
      expect(failureTarget(`Relocate${step.state}`)).toBe(failureTarget(step.state));
    },
  );

  it("resumes every phase and status where the table says, and a rollback on the chain the phase's failure runs", () => {
    const mismatches: unknown[] = [];
    for (const phase of MIGRATION_STATES) {
      for (const status of MIGRATION_STATES) {
        for (const pointOfNoReturn of [false, true]) {
          for (const autoSourceCleanup of [false, true]) {
            const m = {
              phase,
              status,
              pointOfNoReturn,
              options: { autoCutover: false, autoSourceCleanup, throttle: 0 },
            } as MigrationRecord;
            const want = expected(phase, status, pointOfNoReturn, autoSourceCleanup);
            const got = resumePoint(m);
            const routed = (state('ResumePoint').Choices as ChoiceRule[]).find(
              (c) => c.Variable === '$.migration.resumeAt' && c.StringEquals === got,
            )?.Next;
            const actual: Record<string, unknown> = { resumeAt: got, state: routed };
            if (want.chain) {
              actual.chain = undoChainFrom(routed!).undos;
              // The phase's step's failure, read from the definition: the resumed chain is its tail.
              const i = claimingStep(phase, autoSourceCleanup);
              let owner = i < 0 ? FORWARD_STEPS.length - 1 : i;
              while (owner > 0 && FORWARD_STEPS[owner].undo === null) owner--;
              actual.failureChain = undoChainFrom(undoStartOf(FORWARD_STEPS[owner])).undos;
              expect((actual.failureChain as string[]).slice(-(actual.chain as string[]).length)).toEqual(
                actual.chain,
              );
            }
            const case_ = { phase, status, pointOfNoReturn, autoSourceCleanup };
            if (JSON.stringify(actual) !== JSON.stringify(want)) mismatches.push({ ...case_, want, actual });
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('routes every resume point but the check-only one, and nothing else', () => {
    const choice = state('ResumePoint');
    const rules = choice.Choices as ChoiceRule[];
    expect(rules[0]).toMatchObject({
      Variable: '$.migration.checkOnly',
      BooleanEquals: true,
      Next: 'Precheck',
    });
    const routed = rules.slice(1);
    for (const rule of routed) expect(rule.Variable).toBe('$.migration.resumeAt');
    expect(routed.map((c) => c.StringEquals).sort()).toEqual(
      RESUME_POINTS.filter((p) => p !== PRECHECK).sort(),
    );
    expect(choice).not.toHaveProperty('Default');
  });

  it.each([
    ['TransferStatus', '$.poll.action', POLL_ACTIONS],
    ['CutoverTriggerStatus', '$.poll.action', POLL_ACTIONS],
    ['PreCommitStatus', '$.precommit.action', PRECOMMIT_ACTIONS],
    ['RestartDecision', '$.restart.action', RESTART_ACTIONS],
  ] as const)('matches %s only on the actions its task answers', (name, variable, actions) => {
    for (const rule of state(name).Choices as ChoiceRule[]) {
      expect(rule.Variable).toBe(variable);
      expect(actions).toContain(rule.StringEquals);
    }
  });
});

// The migration's order, in one place: each forward step with its state, task, the phases a
// fresh execution continues it from, its resume point and its undo. The state machine
// (lib/migration-state-machine.ts) derives its undo chain, its Catch targets and its ResumePoint
// Choice from this table; CheckState (lambdas/domain/migration/check-state.ts) looks the resume
// point up in it. SDK-free: the construct and the handlers both import it.
import type { MigrationOptions, MigrationRecord, MigrationState } from './state/records';
import type { TaskName } from './tasks';

/** The values of `$.migration.resumeAt`: where the ResumePoint Choice sends an execution. */
export const RESUME_POINTS = [
  'precheck',
  'setup',
  'transfer',
  'cutover',
  'precommit',
  'commit',
  'cleanup',
  'finish',
  'complete',
  'undo_precommit',
  'undo_transfer',
  'undo_setup',
] as const;
export type ResumePoint = (typeof RESUME_POINTS)[number];

/** A check-only run (the Choice reads `checkOnly`, not this value) and a finished migration. */
export const PRECHECK: ResumePoint = 'precheck';
export const ALREADY_COMPLETE: ResumePoint = 'complete';

/** What a poll task answers in `$.poll.action`. */
export const POLL_ACTIONS = ['wait', 'ready', 'aborted', 'paused', 'continueAsNew'] as const;
export type PollAction = (typeof POLL_ACTIONS)[number];

/** What PreCommit answers in `$.precommit.action`. */
export const PRECOMMIT_ACTIONS = ['continue', 'aborted', 'paused'] as const;
export type PreCommitAction = (typeof PRECOMMIT_ACTIONS)[number];

/** What DecideRestart answers in `$.restart.action`. */
export const RESTART_ACTIONS = ['restart', 'aborted', 'failed'] as const;
export type RestartAction = (typeof RESTART_ACTIONS)[number];

export type UndoTask = Extract<
  TaskName,
  'undoSetup' | 'undoTransfer' | 'undoPreCommit' | 'restartSourceVserver'
>;

export interface UndoStep {
  /** The state that runs it (chaos/ and the tests name states). */
  state: string;
  /** Where a rollback cut short in it resumes; absent: at the next undo of the chain, which does its work first. */
  resumeAt?: ResumePoint;
}

export const UNDO_STEPS: Readonly<Record<UndoTask, UndoStep>> = {
  undoSetup: { state: 'UndoSetup', resumeAt: 'undo_setup' },
  undoTransfer: { state: 'UndoTransfer', resumeAt: 'undo_transfer' },
  undoPreCommit: { state: 'UndoPreCommit', resumeAt: 'undo_precommit' },
  // UndoPreCommit restarts the source first when the point of no return is still recorded.
  restartSourceVserver: { state: 'RestartSourceVserver' },
};

export interface ForwardStep {
  /** The state that runs it (chaos/ and the tests name states). */
  state: string;
  task: TaskName;
  /** The phases from which a fresh execution continues with this step (every step is idempotent). */
  phases: readonly MigrationState[];
  /** The resume point that enters it; absent: a resume enters through an earlier step. */
  resumeAt?: ResumePoint;
  /** Where the ResumePoint Choice sends `resumeAt`, when not the step itself (the Choice that decides whether it runs). */
  entry?: string;
  /** It runs only when this option of the migration is set; otherwise the next step continues its phases. */
  onlyIf?: keyof Pick<MigrationOptions, 'autoSourceCleanup'>;
  /**
   * What a failure past its retries undoes: this undo, then the rest of the chain. null: the
   * step only rolls forward (a failure ends the execution; a rerun finishes it).
   */
  undo: UndoTask | null;
  /**
   * The point of no return: a migration that recorded passing it resumes here until a later
   * step's phase, and a failure asks the destination whether it serves before undoing.
   */
  pointOfNoReturn?: true;
}

/** The forward steps, in the order an execution runs them. */
export const FORWARD_STEPS: readonly ForwardStep[] = [
  { state: 'Setup', task: 'setup', phases: ['setup_configuration'], resumeAt: 'setup', undo: 'undoSetup' },
  {
    state: 'StartTransfer',
    task: 'startTransfer',
    phases: ['transferring'],
    resumeAt: 'transfer',
    undo: 'undoTransfer',
  },
  { state: 'PollTransfer', task: 'pollTransfer', phases: [], undo: 'undoTransfer' },
  // CutoverMode skips it when the migration cuts over automatically.
  {
    state: 'PollCutoverTrigger',
    task: 'pollCutoverTrigger',
    phases: ['ready_for_cutover'],
    resumeAt: 'cutover',
    entry: 'CutoverMode',
    undo: 'undoPreCommit',
  },
  // The trigger was consumed (the request cleared) when cutover_triggered was entered: go on with it.
  {
    state: 'PreCommit',
    task: 'preCommit',
    phases: ['cutover_triggered', 'cutover_started'],
    resumeAt: 'precommit',
    undo: 'undoPreCommit',
  },
  {
    state: 'Commit',
    task: 'commit',
    phases: [],
    resumeAt: 'commit',
    undo: 'restartSourceVserver',
    pointOfNoReturn: true,
  },
  {
    state: 'SourceCleanup',
    task: 'sourceCleanup',
    phases: ['cutover_complete', 'ready_for_source_cleanup', 'source_cleanup'],
    resumeAt: 'cleanup',
    onlyIf: 'autoSourceCleanup',
    undo: null,
  },
  { state: 'Complete', task: 'complete', phases: [], resumeAt: 'finish', undo: null },
];

/** The phase a completed migration records; no step continues it. */
export const COMPLETE_PHASE: MigrationState = 'migrate_complete';

/**
 * The undo chain: each step's undo in reverse order of the steps. A failure of a step runs the
 * chain from its undo on; the chain then ends in DecideRestart.
 */
export const UNDO_CHAIN: readonly UndoTask[] = [
  ...new Set(
    FORWARD_STEPS.map((s) => s.undo)
      .filter((u): u is UndoTask => u !== null)
      .reverse(),
  ),
];

/** The index of the step that continues this phase, or -1 when no step does. */
function stepIndexOf(m: Pick<MigrationRecord, 'phase' | 'pointOfNoReturn' | 'options'>): number {
  let index = FORWARD_STEPS.findIndex((s) => s.phases.includes(m.phase));
  if (index < 0) return -1;
  // Past the point of no return only forward: commit again until a later step's phase is reached.
  const ponr = FORWARD_STEPS.findIndex((s) => s.pointOfNoReturn);
  if (m.pointOfNoReturn && index < ponr) index = ponr;
  for (
    let option = FORWARD_STEPS[index].onlyIf;
    option && !m.options[option];
    option = FORWARD_STEPS[index].onlyIf
  )
    index++;
  return index;
}

/** The step a fresh execution continues a migration in this state with; the first step for a phase no step claims. */
export function stepOf(m: Pick<MigrationRecord, 'phase' | 'pointOfNoReturn' | 'options'>): ForwardStep {
  const index = stepIndexOf(m);
  if (index >= 0) return FORWARD_STEPS[index];
  const ponr = FORWARD_STEPS.find((s) => s.pointOfNoReturn);
  return m.pointOfNoReturn && ponr ? ponr : FORWARD_STEPS[0];
}

/** The undo a failure of this step runs first; for a step that only rolls forward, that of the nearest step before it with one. */
export function undoOf(step: ForwardStep): UndoTask | undefined {
  let index = FORWARD_STEPS.indexOf(step);
  while (index >= 0 && FORWARD_STEPS[index].undo === null) index--;
  return index >= 0 ? (FORWARD_STEPS[index].undo ?? undefined) : undefined;
}

/**
 * Where a rollback cut short resumes: at the undo the Catch of the step whose phase was reached
 * runs (the phase alone decides: a rollback from the point of no return resumes where its
 * phase's undo does), or at the next undo of the chain that can be resumed. A phase no step
 * claims undoes the whole chain. Undo steps are idempotent.
 */
export function undoResumePoint(m: Pick<MigrationRecord, 'phase' | 'options'>): ResumePoint {
  const index = stepIndexOf({ ...m, pointOfNoReturn: false });
  const first = index >= 0 ? undoOf(FORWARD_STEPS[index]) : undefined;
  const chain = UNDO_CHAIN.slice(first ? UNDO_CHAIN.indexOf(first) : 0);
  return firstResumePoint(chain.map((u) => UNDO_STEPS[u]));
}

/** Maps what DynamoDB holds to the step that continues it. */
export function resumePointOf(
  m: Pick<MigrationRecord, 'phase' | 'status' | 'pointOfNoReturn' | 'options'>,
): ResumePoint {
  if (m.phase === COMPLETE_PHASE) return ALREADY_COMPLETE;
  if (m.status === 'rolling_back') return undoResumePoint(m);
  // A step without a resume point of its own is resumed through the nearest one before it.
  return firstResumePoint(FORWARD_STEPS.slice(0, FORWARD_STEPS.indexOf(stepOf(m)) + 1).reverse());
}

function firstResumePoint(steps: readonly { state: string; resumeAt?: ResumePoint }[]): ResumePoint {
  const point = steps.find((s) => s.resumeAt)?.resumeAt;
  if (!point)
    throw new Error(`none of ${steps.map((s) => s.state).join(', ')} has a resume point (lambdas/steps.ts)`);
  return point;
}

// The migration's steps, each forward step beside its undo (setup / undoSetup, ...). A step
// records its phase and milestones in DynamoDB and leaves the cluster work to ../cluster.
import { AbortRequested, ConflictError, InterClusterLinkError } from '../../errors';
import { parseExecutionInput } from '../../input';
import type { MigrationState } from '../../state/records';
import type { PollAction, PreCommitAction } from '../../steps';
import * as cluster from '../cluster';
import type { Dependencies } from './dependencies';
import { recordEvent } from './events';
import { linkState, rideOutLinkOutages } from './link-outage';
import { operationContext } from './operations';
import { checkRequest } from './request-checks';
import { followSource, requireSourceUnchanged } from './source-inventory';
import { MigrationStep, type TaskPayload } from './step';

export interface PollOutcome {
  action: PollAction;
  iteration: number;
  volumesReady?: number;
  volumes?: number;
}

export interface PollPayload extends TaskPayload {
  /** The previous poll's iteration in this execution (0 before the first). */
  iteration?: number;
}

const now = (deps: Dependencies) => deps.now().toISOString();

// --- setup / undoSetup ---------------------------------------------------------------

export async function setup(payload: TaskPayload, deps: Dependencies): Promise<{ volumes: number }> {
  const step = await MigrationStep.open(deps, payload);
  await refuseIfAborted(step);
  await step.enter('setup_configuration');
  const ctx = await operationContext(step);
  await cluster.precheck(ctx);
  const result = await cluster.setup(ctx);
  await step.event('setup_complete', { svm: result.svm.name, volumes: result.volumes.length });
  return { volumes: result.volumes.length };
}

export async function undoSetup(payload: TaskPayload, deps: Dependencies): Promise<{ deleted: boolean }> {
  const step = await beginUndo(deps, payload);
  const result = await cluster.undoSetup(await operationContext(step));
  await step.event('setup_undone', { deleted: result.deleted, cause: payload.error?.Error });
  return result;
}

// --- transfer / undoTransfer -----------------------------------------------------------

export async function startTransfer(payload: TaskPayload, deps: Dependencies): Promise<{ volumes: number }> {
  const step = await MigrationStep.open(deps, payload);
  await refuseIfAborted(step);
  await step.enter('transferring');
  const progress = await cluster.startTransfer(await operationContext(step));
  await step.event('transfer_started', { volumes: progress.volumes.length });
  return { volumes: progress.volumes.length };
}

/** One iteration of the transfer's Wait + poll loop: nudge laggards, report, say what next. */
export async function pollTransfer(payload: PollPayload, deps: Dependencies): Promise<PollOutcome> {
  const step = await MigrationStep.open(deps, payload);
  const iteration = (payload.iteration ?? 0) + 1;
  const interrupted = await operatorInterruption(step, iteration);
  if (interrupted) return interrupted;
  const progress = await pollWithinLinkOutages(step);
  const volumesReady = progress.volumes.filter(
    (v) => v.state === 'snapmirrored' && v.transferState === 'success',
  ).length;
  if (!progress.ready) {
    await step.save({}); // keeps the lease alive while the loop waits
    return { action: 'wait', iteration, volumesReady, volumes: progress.volumes.length };
  }
  const m = step.record;
  await step.enter(
    'ready_for_cutover',
    m.options.autoCutover ? { times: { cutoverTrigger: now(deps) } } : {},
  );
  await step.event('ready_for_cutover', {
    volumes: progress.volumes.length,
    autoCutover: m.options.autoCutover,
  });
  return { action: 'ready', iteration, volumesReady, volumes: progress.volumes.length };
}

export async function undoTransfer(payload: TaskPayload, deps: Dependencies): Promise<{ deleted: number }> {
  const step = await beginUndo(deps, payload);
  const result = await cluster.undoTransfer(await operationContext(step));
  await step.event('transfer_undone', { relationships: result.deleted });
  return result;
}

// --- cut-over trigger, preCommit / undoPreCommit ------------------------------------------

/** Waiting for `svm-migrate cutover` (autoCutover false): keep the mirrors fresh meanwhile. */
export async function pollCutoverTrigger(payload: PollPayload, deps: Dependencies): Promise<PollOutcome> {
  const step = await MigrationStep.open(deps, payload);
  const iteration = (payload.iteration ?? 0) + 1;
  const interrupted = await operatorInterruption(step, iteration);
  if (interrupted) return interrupted;
  if (step.record.requests.cutover) {
    await step.enter('cutover_triggered', { times: { cutoverTrigger: step.record.requests.cutover } });
    await deps.store.clearRequest(step.id, payload.executionId, 'cutover');
    await step.event('cutover_triggered', { requestedAt: step.record.requests.cutover });
    return { action: 'ready', iteration };
  }
  await pollWithinLinkOutages(step);
  await step.save({});
  return { action: 'wait', iteration };
}

export interface PreCommitOutcome {
  /** continue: on to the commit; aborted: to UndoPreCommit; paused: the execution ends Paused. */
  action: PreCommitAction;
  interfaces?: number;
}

export async function preCommit(payload: TaskPayload, deps: Dependencies): Promise<PreCommitOutcome> {
  const step = await MigrationStep.open(deps, payload);
  if (step.record.phase !== 'cutover_started') {
    // Before the cut-over begins a pause or an abort still leaves the source serving untouched.
    const before = await requestedInterruption(step);
    if (before) return { action: before };
    await step.enter('cutover_started');
    // The store accepts a pause only before this phase: one accepted meanwhile is read here.
    await step.refresh();
    const meanwhile = await requestedInterruption(step);
    if (meanwhile) return { action: meanwhile };
  }
  if (step.record.requests.abort) return { action: await abortRequested(step) };
  const ctx = await operationContext(step);
  // The last look at the source before its interfaces go down: a difference fails here, not after the commit.
  await requireSourceUnchanged(step, ctx);
  const result = await cluster.preCommit(ctx);
  await step.event('precommit_complete', { interfaces: result.interfaces, volumes: result.volumes.length });
  // Client access is stopped; an abort accepted while this step ran is acted on before the commit.
  await step.refresh();
  if (step.record.requests.abort) return { action: await abortRequested(step) };
  return { action: 'continue', interfaces: result.interfaces.length };
}

export async function undoPreCommit(payload: TaskPayload, deps: Dependencies): Promise<{ restored: number }> {
  const step = await beginUndo(deps, payload);
  const ctx = await operationContext(step);
  // A rollback from the point of no return cut short (a crash in RestartSourceVserver) resumes
  // here: bring the source SVM back first, as RestartSourceVserver would have.
  if (step.record.pointOfNoReturn) {
    await cluster.restartSourceVserver(ctx);
    await step.save({ pointOfNoReturn: false });
  }
  const result = await cluster.undoPreCommit(ctx);
  await step.event('precommit_undone', { restored: result.restored });
  return { restored: result.restored.length };
}

// --- commit (point of no return) and its ways out -----------------------------------------

export async function commit(payload: TaskPayload, deps: Dependencies): Promise<{ serving: boolean }> {
  const step = await MigrationStep.open(deps, payload);
  if (!step.record.pointOfNoReturn) await passPointOfNoReturn(step);
  const ctx = await operationContext(step);
  // Before the destination takes clients, a lost link means the last writes may not have crossed:
  // claim 2 wants the source restarted rather than a destination missing data. Once it takes
  // them (the cluster says so, even if a crash kept DynamoDB from hearing it) only forward.
  if (!(await rollsForwardOnly(step, ctx))) await requireLink(ctx);
  const result = await cluster.commit(ctx);
  // Set by the destination_serving milestone, unless a crashed run had already brought the interfaces up.
  const cutoverComplete = step.record.times.cutoverComplete ?? now(deps);
  await step.enter('cutover_complete', { destinationServing: result.serving, times: { cutoverComplete } });
  await step.event('cutover_complete', {
    serving: result.serving,
    ...cutoverWindow(step.record.times.cutoverStart, cutoverComplete),
  });
  return { serving: result.serving };
}

/**
 * The store refuses an abort once pointOfNoReturn is set, atomically; one accepted before is on
 * the record read right after setting it, and still wins: nothing of the commit has run yet.
 */
async function passPointOfNoReturn(step: MigrationStep): Promise<void> {
  await refuseIfAborted(step);
  await step.save({ pointOfNoReturn: true });
  await step.refresh();
  if (step.record.requests.abort) {
    await step.save({ pointOfNoReturn: false });
    await refuseIfAborted(step);
  }
  await step.event('point_of_no_return', {});
}

/** How long clients were cut off: from pre-commit stopping the source to the destination serving (the CutoverWindowSeconds metric). */
function cutoverWindow(
  cutoverStart: string | undefined,
  cutoverComplete: string,
): { cutoverWindowSeconds?: number } {
  if (!cutoverStart) return {};
  return { cutoverWindowSeconds: (Date.parse(cutoverComplete) - Date.parse(cutoverStart)) / 1000 };
}

async function requireLink(ctx: cluster.OperationContext): Promise<void> {
  const link = await linkState(ctx);
  if (link.state !== 'available') {
    throw new InterClusterLinkError(
      `the inter-cluster link to ${link.source} is ${link.state} at the point of no return`,
      { side: 'both' },
    );
  }
}

/**
 * One look at the transfer. A link outage is waited out inside the poll (the failed transfers
 * restart from their checkpoint once it is back); only one longer than the budget costs a restart.
 */
async function pollWithinLinkOutages(step: MigrationStep): Promise<cluster.TransferProgress> {
  const ctx = await operationContext(step);
  await followSource(step, ctx);
  return rideOutLinkOutages(
    ctx,
    () => cluster.pollTransfer(ctx, { lagThresholdSeconds: step.tunables.lagThresholdSeconds }),
    (waitedMs) => step.event('link_outage_waited_out', { waitedMs }),
  );
}

/**
 * Whether the destination takes clients, from DynamoDB or else from the destination cluster
 * itself; a yes learnt from the cluster is recorded at once, so every later run rolls forward.
 */
async function rollsForwardOnly(step: MigrationStep, ctx: cluster.OperationContext): Promise<boolean> {
  if (step.record.destinationServing) return true;
  if (!(await cluster.destinationTakesClients(ctx))) return false;
  await step.save({
    destinationServing: true,
    message: 'the destination SVM takes clients: the migration only rolls forward',
  });
  await step.event('destination_serving_found', {});
  return true;
}

/** A commit failed (the link lost, or anything else): may the source be restarted? */
export async function recordCommitFailure(
  payload: TaskPayload,
  deps: Dependencies,
): Promise<{ destinationServing: boolean }> {
  const step = await MigrationStep.open(deps, payload);
  const serving = await rollsForwardOnly(step, await operationContext(step));
  await step.save({ message: `commit failed with ${payload.error?.Error ?? 'an error'}` });
  await step.event('commit_failed', { error: payload.error?.Error, destinationServing: serving });
  return { destinationServing: serving };
}

/** Claim 2: the destination does not take clients yet, so the source SVM comes back and the run restarts. */
export async function restartSourceVserver(
  payload: TaskPayload,
  deps: Dependencies,
): Promise<{ restored: number }> {
  const step = await MigrationStep.open(deps, payload);
  // Asked of the destination cluster again, and recorded, before anything is undone.
  if (await rollsForwardOnly(step, await operationContext(step))) {
    throw new ConflictError(
      `refusing to restart source SVM ${step.record.source.svm}: the destination takes clients; run again to finish the commit`,
      {
        side: 'destination',
      },
    );
  }
  await beginUndoOf(step, payload);
  const result = await cluster.restartSourceVserver(await operationContext(step));
  await step.save({ pointOfNoReturn: false });
  await step.event('source_restarted', { interfaces: result.restored, cause: payload.error?.Error });
  return { restored: result.restored.length };
}

// --- source cleanup and completion ------------------------------------------------------

export async function sourceCleanup(payload: TaskPayload, deps: Dependencies): Promise<{ deleted: number }> {
  const step = await MigrationStep.open(deps, payload);
  await step.enter('source_cleanup');
  const result = await cluster.sourceCleanup(await operationContext(step));
  await step.event('source_cleaned_up', { volumes: result.deletedVolumes.length });
  return { deleted: result.deletedVolumes.length };
}

export async function complete(payload: TaskPayload, deps: Dependencies): Promise<{ state: MigrationState }> {
  const step = await MigrationStep.open(deps, payload);
  const state: MigrationState = step.record.options.autoSourceCleanup
    ? 'migrate_complete'
    : 'ready_for_source_cleanup';
  await step.event('migration_complete', { state });
  await deps.store.release(
    step.id,
    { owner: payload.executionId, expectedVersion: step.record.version },
    { phase: state, status: state, times: { end: now(deps) } },
  );
  return { state };
}

// --- shared -------------------------------------------------------------------------------

/** Pause and abort requests at the loop points, where stopping is clean; past the cap, a fresh execution. */
async function operatorInterruption(
  step: MigrationStep,
  iteration: number,
): Promise<PollOutcome | undefined> {
  const interrupted = await requestedInterruption(step);
  if (interrupted) return { action: interrupted, iteration };
  if (iteration >= step.tunables.pollIterationCap) return { action: 'continueAsNew', iteration };
  return undefined;
}

/** Acts on a pending abort (recorded; the caller routes to the undo) or pause (the migration is paused). */
async function requestedInterruption(step: MigrationStep): Promise<'aborted' | 'paused' | undefined> {
  const { requests } = step.record;
  if (requests.abort) return abortRequested(step);
  if (requests.pause) {
    // The lock stays held while paused (a long lease): nobody else migrates this SVM meanwhile.
    await step.deps.store.update(
      step.id,
      { owner: step.payload.executionId, expectedVersion: step.record.version, leaseSeconds: 30 * 86_400 },
      { status: 'migrate_paused' },
    );
    await step.deps.store.clearRequest(step.id, step.payload.executionId, 'pause');
    await recordEvent(step.deps, { ...step.record, status: 'migrate_paused' }, 'migration_paused', {
      requestedAt: requests.pause,
      phase: step.record.phase,
    });
    return 'paused';
  }
  return undefined;
}

async function abortRequested(step: MigrationStep): Promise<'aborted'> {
  await step.event('abort_requested', {
    requestedAt: step.record.requests.abort,
    phase: step.record.phase,
    step: step.payload.stateName,
  });
  return 'aborted';
}

/** A step with no abort route of its own fails into its undo chain, which ends Aborted (DecideRestart). */
async function refuseIfAborted(step: MigrationStep): Promise<void> {
  if (!step.record.requests.abort) return;
  await abortRequested(step);
  throw new AbortRequested(
    `migration ${step.id} aborted by the operator in ${step.record.phase}: rolling back`,
  );
}

async function beginUndo(deps: Dependencies, payload: TaskPayload): Promise<MigrationStep> {
  const step = await MigrationStep.open(deps, payload);
  await beginUndoOf(step, payload);
  return step;
}

async function beginUndoOf(step: MigrationStep, payload: TaskPayload): Promise<void> {
  if (step.record.status === 'rolling_back') return;
  await step.save({
    status: 'rolling_back',
    message: `rolling back after ${payload.error?.Error ?? 'an abort'}`,
  });
  await step.event('rollback_started', { cause: payload.error?.Error, from: payload.stateName });
}

// --- check-only runs ------------------------------------------------------------------------

export interface PrecheckEvent {
  input: unknown;
  executionId: string;
}

/** `checkOnly`: the setup's checks, with nothing created and nothing locked. */
export async function precheck(event: PrecheckEvent, deps: Dependencies): Promise<cluster.PrecheckReport> {
  const input = parseExecutionInput(event.input);
  await checkRequest(input, deps);
  const [source, destination] = await Promise.all([
    deps.connect(input.source.cluster, 'source'),
    deps.connect(input.destination.cluster, 'destination'),
  ]);
  return cluster.precheck({
    clusters: { source, destination },
    plan: {
      migrationId: 'precheck',
      sourceSvm: input.source.svm,
      ...(input.destination.aggregates && { aggregates: input.destination.aggregates }),
    },
  });
}

// What happens after a failure has been undone, or an undo itself failed, and how a long
// execution hands over to a fresh one: DecideRestart, RecordUndoFailed, ContinueAsNew.
import { ConflictError, NOT_RESTARTABLE_ERRORS, TransientError } from '../../errors';
import type { ExecutionInput } from '../../input';
import type { RestartAction } from '../../steps';
import * as cluster from '../cluster';
import type { Dependencies } from './dependencies';
import { recordEvent } from './events';
import { operationContext } from './operations';
import { MigrationStep, type TaskPayload } from './step';

export interface RestartDecision {
  action: RestartAction;
  generation: number;
  restarts: number;
  /** How long the RestartBackoff Wait holds a restart: it doubles with each restart. */
  waitSeconds: number;
}

/** The first restart waits this long; each next one twice as long, up to the cap. */
export const RESTART_BACKOFF_SECONDS = 15;
export const RESTART_BACKOFF_MAX_SECONDS = 600;

/** Restart n (1-based) waits 15 s, 30 s, 60 s ... at most 10 minutes: a fault that persists is not hammered. */
export function restartBackoffSeconds(restart: number): number {
  return Math.min(RESTART_BACKOFF_SECONDS * 2 ** Math.max(0, restart - 1), RESTART_BACKOFF_MAX_SECONDS);
}

/** After the undo chain: restart from setup (claims 4-6) while restarts remain, else end rolled back. */
export async function decideRestart(payload: TaskPayload, deps: Dependencies): Promise<RestartDecision> {
  const step = await MigrationStep.open(deps, payload);
  const m = step.record;
  const cause = payload.error?.Error;
  const end = deps.now().toISOString();
  if (m.requests.abort) {
    await step.event('migration_rolled_back', { reason: 'aborted by the operator' });
    const done = await deps.store.release(m.id, fence(payload, step), {
      status: 'rolled_back',
      times: { end },
      message: 'aborted by the operator before the point of no return; the source SVM serves',
    });
    return { action: 'aborted', generation: done.generation, restarts: done.restarts, waitSeconds: 0 };
  }
  // A restart runs the same request against the same clusters: a failure that says the request,
  // the credentials or the clusters are wrong would only happen again.
  const restartable = cause === undefined || !NOT_RESTARTABLE_ERRORS.includes(cause);
  if (restartable && m.restarts < step.tunables.restartLimit) {
    await deps.store.deleteVolumes(m.id, payload.executionId);
    const next = await step.save({
      generation: m.generation + 1,
      phase: 'setup_configuration',
      status: 'setup_configuration',
      pointOfNoReturn: false,
      destinationServing: false,
      add: { restarts: 1 },
      message: `restarted after ${cause ?? 'a failure'} (restart ${m.restarts + 1} of ${step.tunables.restartLimit})`,
    });
    await step.event('migration_restarted', { cause, generation: next.generation, restart: next.restarts });
    return {
      action: 'restart',
      generation: next.generation,
      restarts: next.restarts,
      waitSeconds: restartBackoffSeconds(next.restarts),
    };
  }
  await step.event('migration_failed', {
    cause,
    restarts: m.restarts,
    ...(!restartable && { restartable: false }),
  });
  const done = await deps.store.release(m.id, fence(payload, step), {
    status: 'migrate_failed',
    times: { end },
    message: restartable
      ? `failed after ${m.restarts} restart(s) (last error: ${cause ?? 'unknown'}); rolled back, the source SVM serves`
      : `failed with ${cause}, which a restart cannot change (the failed step's error says why); rolled back, the source SVM serves`,
  });
  return { action: 'failed', generation: done.generation, restarts: done.restarts, waitSeconds: 0 };
}

/** An undo failed after its retries: record it and keep the SVM locked until a person looks. */
export async function recordUndoFailed(
  payload: TaskPayload,
  deps: Dependencies,
): Promise<{ recorded: true }> {
  const step = await MigrationStep.open(deps, payload);
  await step.save({
    status: 'undo_failed',
    message: `undo failed in ${payload.stateName ?? 'an undo step'}: ${payload.error?.Error ?? 'unknown error'}; the SVM stays locked`,
  });
  await step.event('undo_failed', { error: payload.error?.Error });
  return { recorded: true };
}

/** Past the poll-iteration cap: name the successor, start it, and let this execution end. */
export async function continueAsNew(payload: TaskPayload, deps: Dependencies): Promise<{ next: string }> {
  const step = await MigrationStep.open(deps, payload);
  const m = step.record;
  const name = successorName(m.id, payload.executionId);
  // The successor's ARN is ours with its name: the store lets exactly that execution take over.
  await deps.store.handoff(m.id, fence(payload, step), successorArn(payload.executionId, name));
  const input: ExecutionInput = {
    source: m.source,
    destination: m.destination,
    autoCutover: m.options.autoCutover,
    autoSourceCleanup: m.options.autoSourceCleanup,
    throttle: m.options.throttle,
    sourceChanges: m.options.sourceChanges ?? 'follow',
    checkOnly: false,
    migrationId: m.id,
  };
  const next = await deps.executions.start(name, input);
  await recordEvent(deps, m, 'continued_as_new', { next });
  return { next };
}

/** `<migration id>-c<n>`: Step Functions names are at most 80 characters of [A-Za-z0-9-_]. */
export function successorName(migrationId: string, executionId: string): string {
  const current = executionId.slice(executionId.lastIndexOf(':') + 1);
  const n = Number(/-c(\d+)$/.exec(current)?.[1] ?? 0) + 1;
  const name = `${migrationId}-c${n}`;
  if (name.length > 80) throw new ConflictError(`execution name ${name} is longer than 80 characters`);
  return name;
}

export function successorArn(executionId: string, name: string): string {
  return `${executionId.slice(0, executionId.lastIndexOf(':') + 1)}${name}`;
}

export interface RelocationOutcome {
  relocated: { side: 'source' | 'destination'; from: string; to: string; volumes: string[] }[];
}

/**
 * Claim 1: a step failed on an unhealthy node. Destination volumes on that node move to a healthy
 * node of the same cluster (its HA partner first); a source node is served by its partner once it
 * has taken over. Then the state machine runs the same step again.
 */
export async function relocate(payload: TaskPayload, deps: Dependencies): Promise<RelocationOutcome> {
  const step = await MigrationStep.open(deps, payload);
  const limit = step.tunables.relocationLimit;
  if (step.record.relocations >= limit) {
    throw new ConflictError(
      `relocation limit reached (${limit}): ${payload.step ?? 'the step'} keeps failing on unhealthy nodes`,
    );
  }
  const ctx = await operationContext(step);
  const relocated: RelocationOutcome['relocated'] = [];
  for (const node of (await ctx.clusters.destination.nodes.list()).filter((n) => n.state !== 'up')) {
    // Until its HA partner has taken it over nobody serves the node's volumes, so none can move:
    // wait (Retry) rather than fail the relocation into the undo chain.
    if (node.state !== 'taken_over') {
      const partner = await cluster.pickHealthyNode(ctx.clusters.destination, node.name);
      throw new TransientError(
        `destination node ${node.name} is ${node.state}; waiting for ${partner.name} to take over`,
        { side: 'destination', node: node.name },
      );
    }
    const moved = await cluster.relocateDestinationVolumes(ctx, node.name);
    relocated.push({ side: 'destination', from: node.name, to: moved.node, volumes: moved.moved });
  }
  for (const node of (await ctx.clusters.source.nodes.list()).filter((n) => n.state !== 'up')) {
    // The source's volumes stay where they are; they are served again once the partner took over.
    const partner = await cluster.pickHealthyNode(ctx.clusters.source, node.name);
    if (node.state !== 'taken_over')
      throw new TransientError(
        `source node ${node.name} is ${node.state}; waiting for ${partner.name} to take over`,
        { side: 'source', node: node.name },
      );
    relocated.push({ side: 'source', from: node.name, to: partner.name, volumes: [] });
  }
  await step.save({ add: { relocations: 1 } });
  await step.event('step_relocated', { step: payload.step, relocated });
  return { relocated };
}

function fence(payload: TaskPayload, step: MigrationStep) {
  return { owner: payload.executionId, expectedVersion: step.record.version };
}

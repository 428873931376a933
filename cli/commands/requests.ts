// `pause`, `cutover`, `abort` (operator requests the running execution acts on where
// answerRequest says) and `resume` (a fresh execution, or a redrive of a failed one on AWS).
import { Command } from 'commander';
import { answerRequest } from '../../lambdas/domain/migration/requests';
import { ConflictError } from '../../lambdas/errors';
import type { MigrationRecord, OperatorRequest } from '../../lambdas/state/records';
import { type CommandContext, printJson, type TargetFlags, withTarget, withTargetOptions } from '../context';
import { refused } from '../errors';
import { resumeInput, resumeNameFor } from '../input';
import { actingExecution, resolveMigration } from '../migrations';
import { SETTLED_STATUSES } from '../render';
import type { ExecutionSummary, MigrationTarget } from '../target';

type Flags = TargetFlags & { json: boolean };

const REQUESTS: Record<OperatorRequest, string> = {
  pause: 'pause a migration at its next poll (the execution ends Paused; resume continues it)',
  cutover: 'cut over a migration started with --no-auto-cutover, once its volumes are in sync',
  abort: 'abort a migration before its point of no return (it rolls back and ends Aborted)',
};

export function requestCommand(ctx: CommandContext, kind: OperatorRequest): Command {
  return withTargetOptions(new Command(kind).description(REQUESTS[kind]))
    .argument('<migration>', 'migration id, execution ARN, or [cluster/]svm')
    .option('--json', 'print the migration as one JSON object', false)
    .action(async (ref: string, flags: Flags) => {
      await withTarget(ctx, flags, async (target) => {
        const m = await resolveMigration(target, ref);
        const { running, takesEffect } = await assertRequestApplies(target, m, kind);
        const updated = await target.store
          .request(m.id, kind, ctx.now().toISOString())
          .catch((err: unknown) => {
            // The store checks the phase again atomically: the migration may have moved on since it was read.
            throw err instanceof ConflictError ? refused(err.message) : err;
          });
        await target.store.appendEvent(m.id, {
          type: `${kind}_requested_by_operator`,
          phase: updated.phase,
          at: ctx.now().toISOString(),
          detail: { by: 'svm-migrate', takesEffect },
        });
        // A paused migration has no execution to act on the abort: start one, which rolls it back at its first step.
        const rollback = !running ? await target.startExecution(resumeInput(m), resumeNameFor(m)) : undefined;
        if (flags.json)
          return printJson(ctx, {
            migrationId: m.id,
            request: kind,
            requestedAt: updated.requests[kind],
            takesEffect,
            ...(rollback && { executionArn: rollback.executionArn }),
            migration: updated,
          });
        ctx.io.out(
          rollback
            ? `abort requested for ${m.id}: execution ${rollback.executionArn} rolls it back`
            : `${kind} requested for ${m.id}: the execution acts on it ${takesEffect}`,
        );
      });
    });
}

export function resumeCommand(ctx: CommandContext): Command {
  return withTargetOptions(
    new Command('resume').description(
      'resume a paused or stopped migration (redrives a failed execution on AWS when Step Functions allows)',
    ),
  )
    .argument('<migration>', 'migration id, execution ARN, or [cluster/]svm')
    .option('--json', 'print the execution as one JSON object', false)
    .action(async (ref: string, flags: Flags) => {
      await withTarget(ctx, flags, async (target) => {
        const m = await resolveMigration(target, ref);
        const last = await actingExecution(target, m);
        if (last?.running)
          throw refused(`migration ${m.id} is running (execution ${last.executionArn}); nothing to resume`);
        if (m.status === 'migrate_complete' || m.status === 'ready_for_source_cleanup')
          throw refused(`migration ${m.id} has completed (${m.status}); nothing to resume`);
        if (m.status === 'undo_failed') {
          throw refused(
            `migration ${m.id} ended undo_failed, which resume cannot continue: repair the destination, then svm-migrate repair ${m.id} --retry-undo (or --mark-repaired) --reason "..."`,
          );
        }
        if (m.status === 'rolled_back' || m.status === 'migrate_failed') {
          throw refused(
            `migration ${m.id} has ended (${m.status}), which resume cannot continue: start a new migration with svm-migrate start`,
          );
        }
        const redriven = last ? await target.redrive(last) : undefined;
        const started = redriven ?? (await target.startExecution(resumeInput(m), resumeNameFor(m)));
        const how = redriven ? 'redriven' : 'started';
        if (flags.json) return printJson(ctx, { migrationId: m.id, how, ...started });
        ctx.io.out(started.executionArn);
        ctx.io.err(`${how} ${started.executionArn} to resume ${m.id} (it was ${m.status})`);
      });
    });
}

/**
 * Refuses, with the reason, a request the migration could never act on. Returns whether an
 * execution runs it; the one request that applies without one is the abort of a paused migration.
 */
async function assertRequestApplies(
  target: MigrationTarget,
  m: MigrationRecord,
  kind: OperatorRequest,
): Promise<{ running: boolean; takesEffect: string }> {
  // The store refuses what does not apply too (atomically); this says it, and why, before writing anything.
  const answer = answerRequest(m, kind);
  if (!answer.accepted) throw refused(`${kind} of migration ${m.id} refused: ${answer.reason}`);
  const { takesEffect } = answer;
  const execution: ExecutionSummary | undefined = await actingExecution(target, m);
  if (execution?.running) return { running: true, takesEffect };
  if (kind === 'abort' && m.status === 'migrate_paused') return { running: false, takesEffect };
  if (SETTLED_STATUSES.includes(m.status))
    throw refused(`${kind} of migration ${m.id} refused: it is ${m.status}`);
  throw refused(
    `${kind} of migration ${m.id} refused: no execution runs it (resume it first: svm-migrate resume ${m.id})`,
  );
}

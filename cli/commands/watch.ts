// `svm-migrate watch`: follows a migration until no execution acts on it any more.
import { Command } from 'commander';
import type { MigrationRecord } from '../../lambdas/state/records';
import {
  type CommandContext,
  printJson,
  type TargetFlags,
  wholeNumber,
  withTarget,
  withTargetOptions,
} from '../context';
import { EXIT, notFound } from '../errors';
import { actingExecution, resolveMigration } from '../migrations';
import { MigrationProgress } from '../progress';
import type { MigrationTarget } from '../target';
import { WatchView } from '../watch-view';

type Flags = TargetFlags & { json: boolean; interval?: number };

/** A migration that ends like this did what was asked of it; anything else exits 1. */
const GOOD_ENDS = ['migrate_complete', 'ready_for_source_cleanup', 'migrate_paused'];
/** How long an execution ARN may take to begin its migration (CheckState) before watch gives up. */
const BEGIN_TIMEOUT_MS = 60_000;

export function watchCommand(ctx: CommandContext): Command {
  return withTargetOptions(
    new Command('watch').description(
      'follow a migration live (phase, volume progress, times, messages) until it ends',
    ),
  )
    .argument('<migration>', 'migration id, execution ARN (e.g. what start printed), or [cluster/]svm')
    .option('--interval <ms>', 'refresh interval (default: 250 local, 2000 aws)', wholeNumber)
    .option('--json', 'print one JSON object per change (JSON lines), the last one when it ends', false)
    .action(async (ref: string, flags: Flags) => {
      await withTarget(ctx, flags, async (target) => {
        const m = ref.startsWith('arn:')
          ? await migrationOfExecution(target, ref)
          : await resolveMigration(target, ref);
        const progress = new MigrationProgress(target.store, m.id);
        const view = new WatchView(ctx.io);
        let totals = new Map<string, number>();
        for (;;) {
          let update = await progress.next();
          if (!update) throw notFound(`migration ${m.id} is gone`);
          let execution = await actingExecution(target, update.record);
          if (!execution?.running) {
            // The record was read before the execution ended: read it again, so that the end
            // reported is the one the execution left (or a successor that took over runs on).
            const after = await progress.next();
            if (!after) throw notFound(`migration ${m.id} is gone`);
            const changed = new Map(
              [...update.changedVolumes, ...after.changedVolumes].map((v) => [v.name, v]),
            );
            update = {
              ...after,
              events: [...update.events, ...after.events],
              changedVolumes: [...changed.values()],
            };
            execution = await actingExecution(target, update.record);
          }
          if (target.sourceVolumeBytes && update.volumes.some((v) => !v.totalBytes && !totals.has(v.name))) {
            // Kept once read: source cleanup deletes the source volumes at the end.
            totals = new Map([...(await target.sourceVolumeBytes(update.record)), ...totals]);
          }
          const ended = !execution?.running;
          if (flags.json) {
            if (update.events.length > 0 || update.changedVolumes.length > 0 || ended) {
              printJson(ctx, {
                migration: update.record,
                volumes: update.volumes,
                events: update.events,
                execution: execution ?? null,
                ended,
              });
            }
          } else {
            view.draw({ ...update, execution, totals, now: ctx.now() });
          }
          if (ended) {
            if (!GOOD_ENDS.includes(update.record.status)) ctx.exitCode = EXIT.failed;
            if (!flags.json)
              ctx.io.err(
                `migration ${m.id} ${update.record.status}${execution ? ` (execution ${execution.status})` : ''}`,
              );
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, flags.interval ?? target.pollMs));
        }
      });
    });
}

/** The migration an execution works on; right after `start` its CheckState may not have begun it yet. */
async function migrationOfExecution(target: MigrationTarget, executionArn: string): Promise<MigrationRecord> {
  const deadline = Date.now() + BEGIN_TIMEOUT_MS;
  for (;;) {
    const execution = await target.describeExecution(executionArn);
    if (!execution) throw notFound(`no execution ${executionArn}`);
    const input = execution.input as
      | { migrationId?: string; source?: { cluster: string; svm: string } }
      | undefined;
    if (input?.migrationId) return resolveMigration(target, input.migrationId);
    const active =
      input?.source && (await target.store.findActiveForSvm(input.source.cluster, input.source.svm));
    if (active && (active.owner === executionArn || active.handoffTo === executionArn)) return active;
    if (!execution.running) return resolveMigration(target, executionArn);
    if (Date.now() > deadline)
      throw notFound(
        `execution ${executionArn} has not begun a migration after ${BEGIN_TIMEOUT_MS / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, target.pollMs));
  }
}

// `status`, `list` and `history`: read-only views of the migrate state and the executions.
import { Command } from 'commander';
import {
  type CommandContext,
  printJson,
  type TargetFlags,
  wholeNumberUpTo,
  withTarget,
  withTargetOptions,
} from '../context';
import { actingExecution, allEvents, executionsOf, resolveMigration } from '../migrations';
import { plural, renderEvents, renderHistory, renderList, renderStatus } from '../render';
import type { HistoryEntry } from '../target';

type Flags = TargetFlags & { json: boolean };

export function statusCommand(ctx: CommandContext): Command {
  return withTargetOptions(
    new Command('status').description("a migration's phase, options, times, volumes and execution"),
  )
    .argument(
      '<migration>',
      'migration id, execution ARN, or [cluster/]svm (its running migration, else its latest)',
    )
    .option('--json', 'print {migration, volumes, execution} as one JSON object', false)
    .action(async (ref: string, flags: Flags) => {
      await withTarget(ctx, flags, async (target) => {
        const m = await resolveMigration(target, ref);
        const [volumes, execution] = await Promise.all([
          target.store.listVolumes(m.id),
          actingExecution(target, m),
        ]);
        if (flags.json) return printJson(ctx, { migration: m, volumes, execution: execution ?? null });
        ctx.io.out(renderStatus(m, volumes, execution, ctx.now()));
      });
    });
}

export function listCommand(ctx: CommandContext): Command {
  return withTargetOptions(new Command('list').description('migrations, newest first'))
    .option('--limit <n>', 'at most this many (1 to 1000)', wholeNumberUpTo(1000), 20)
    .option('--cursor <cursor>', 'continue after a previous --json page')
    .option('--json', 'print {items, cursor} as one JSON object', false)
    .action(async (flags: Flags & { limit: number; cursor?: string }) => {
      await withTarget(ctx, flags, async (target) => {
        const page = await target.store.list({
          limit: Math.max(1, flags.limit),
          ...(flags.cursor && { cursor: flags.cursor }),
        });
        if (flags.json) return printJson(ctx, page);
        ctx.io.out(renderList(page.items, ctx.now()));
        if (page.cursor) ctx.io.err(`more: svm-migrate list --cursor ${page.cursor}`);
      });
    });
}

export function historyCommand(ctx: CommandContext): Command {
  return withTargetOptions(
    new Command('history').description(
      "a migration's event log, and the history of each execution that worked on it",
    ),
  )
    .argument('<migration>', 'migration id, execution ARN, or [cluster/]svm')
    .option('--no-executions', 'only the event log')
    .option('--json', 'print {migration, events, executions} as one JSON object', false)
    .action(async (ref: string, flags: Flags & { executions: boolean }) => {
      await withTarget(ctx, flags, async (target) => {
        const m = await resolveMigration(target, ref);
        const events = await allEvents(target, m.id);
        const executions: Array<{ executionArn: string; status?: string; events: HistoryEntry[] }> = [];
        if (flags.executions) {
          for (const executionArn of executionsOf(m, events)) {
            const execution = await target.describeExecution(executionArn);
            if (!execution) continue;
            executions.push({
              executionArn,
              status: execution.status,
              events: await target.executionHistory(executionArn),
            });
          }
        }
        if (flags.json) return printJson(ctx, { migration: m, events, executions });
        ctx.io.out(
          [
            `Migration ${m.id} (${m.source.cluster}/${m.source.svm} -> ${m.destination.cluster}): ${plural(events.length, 'event')}`,
            renderEvents(events),
          ].join('\n'),
        );
        for (const e of executions) ctx.io.out(`\n${renderHistory(e, e.events)}`);
      });
    });
}

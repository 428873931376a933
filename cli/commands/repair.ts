// `repair`: the way out of undo_failed. After the operator repaired the destination, it starts an
// execution that runs the migration's undo chain again (--retry-undo) or records the repair
// (--mark-repaired); either ends the migration rolled back and releases the SVM's lock.
import { Command } from 'commander';
import { parseExecutionInput } from '../../lambdas/input';
import { type CommandContext, printJson, type TargetFlags, withTarget, withTargetOptions } from '../context';
import { refused, usageError } from '../errors';
import { resumeInput } from '../input';
import { resolveMigration } from '../migrations';

type Flags = TargetFlags & { json: boolean; retryUndo: boolean; markRepaired: boolean; reason: string };

export function repairCommand(ctx: CommandContext): Command {
  return withTargetOptions(
    new Command('repair').description(
      "resolve an undo_failed migration after repairing the destination, and release the SVM's lock",
    ),
  )
    .argument('<migration>', 'migration id, execution ARN, or [cluster/]svm')
    .option('--retry-undo', 'run its undo chain again (it ends rolled back)', false)
    .option(
      '--mark-repaired',
      'record that you removed what it created on the destination (it ends rolled back)',
      false,
    )
    .requiredOption('--reason <text>', "what you did, kept in the migration's messages and events")
    .option('--json', 'print the execution as one JSON object', false)
    .action(async (ref: string, flags: Flags) => {
      if (flags.retryUndo === flags.markRepaired)
        throw usageError('repair: give exactly one of --retry-undo and --mark-repaired');
      await withTarget(ctx, flags, async (target) => {
        const m = await resolveMigration(target, ref);
        if (m.status !== 'undo_failed')
          throw refused(`repair of migration ${m.id} refused: it is ${m.status}, not undo_failed`);
        const action = flags.retryUndo ? 'retryUndo' : 'markRepaired';
        const input = parseExecutionInput({ ...resumeInput(m), repair: { action, reason: flags.reason } });
        const started = await target.startExecution(input, `${m.id}-repair-v${m.version}`.slice(0, 80));
        if (flags.json) return printJson(ctx, { migrationId: m.id, action, ...started });
        ctx.io.out(started.executionArn);
        ctx.io.err(
          `started ${started.executionArn} to ${flags.retryUndo ? 'undo' : 'mark repaired'} ${m.id}; it releases the lock when it ends`,
        );
      });
    });
}

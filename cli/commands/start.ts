// `svm-migrate start` and `svm-migrate precheck`: an execution of a validated input. Start
// returns as soon as the execution runs (like StartExecution); precheck waits for its report.
import { Command } from 'commander';
import type { ExecutionInput } from '../../lambdas/input';
import {
  type CommandContext,
  printJson,
  type TargetFlags,
  wholeNumber,
  wholeNumberUpTo,
  withTarget,
  withTargetOptions,
} from '../context';
import { CliError, EXIT, refused, usageError } from '../errors';
import {
  assertExecutionName,
  executionInputFrom,
  executionNameFor,
  type InputFlags,
  precheckNameFor,
} from '../input';
import { actingExecution } from '../migrations';
import { type PrecheckReportView, renderPrecheck } from '../render';
import type { MigrationTarget } from '../target';

type StartFlags = InputFlags & TargetFlags & { json: boolean; name?: string };
type PrecheckFlags = InputFlags & TargetFlags & { json: boolean; timeout: number };

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function withInputOptions(command: Command): Command {
  return command
    .option('--input <file>', 'the execution input as a JSON file (schema/execution-input.schema.json)')
    .option('--source-cluster <name>', 'the cluster the SVM is on')
    .option('--source-svm <name>', 'the SVM to migrate')
    .option('--destination-cluster <name>', 'the cluster to migrate it to')
    .option(
      '--aggregates <a,b>',
      'destination aggregates to place the volumes on (default: all online)',
      list,
    )
    .option('--no-auto-cutover', 'wait for `svm-migrate cutover` once the volumes are in sync')
    .option('--no-auto-source-cleanup', 'keep the source volumes and SVM after the cut-over')
    .option(
      '--throttle <KBps>',
      'per-volume transfer limit in KB/s (0: none)',
      wholeNumberUpTo(4_294_967_295),
    )
    .option('--json', 'print the result as one JSON object', false);
}

export function startCommand(ctx: CommandContext): Command {
  return withTargetOptions(
    withInputOptions(
      new Command('start').description('start a migration (returns the execution ARN at once)'),
    ),
  )
    .option(
      '--name <name>',
      'the execution name (default: derived from the input, so a repeated start does not run twice)',
    )
    .action(async (flags: StartFlags) => {
      const input = executionInputFrom(flags, ctx.io.cwd);
      const name = flags.name === undefined ? executionNameFor(input) : assertExecutionName(flags.name);
      await withTarget(ctx, flags, async (target) => {
        // What runs or already ran says more than the checks (a migrated SVM is gone from the source).
        await refuseIfMigrating(target, input);
        await target.checkRequest?.(input, name).catch((err: unknown) => {
          throw isUsage(err) ? usageError(`${err.message}; nothing was started`) : err;
        });
        const started = await target.startExecution(input, name);
        if (flags.json) return printJson(ctx, { ...started, target: target.kind, input });
        ctx.io.out(started.executionArn);
        ctx.io.err(
          `started ${input.source.cluster}/${input.source.svm} -> ${input.destination.cluster}; follow it: svm-migrate watch ${started.executionArn}${targetHint(flags)}`,
        );
      });
    });
}

export function precheckCommand(ctx: CommandContext): Command {
  return withTargetOptions(
    withInputOptions(
      new Command('precheck').description(
        'run the pre-checks only (a check-only execution) and print the report',
      ),
    ),
  )
    .option('--timeout <seconds>', 'how long to wait for the report', wholeNumber, 600)
    .action(async (flags: PrecheckFlags) => {
      const input = executionInputFrom(flags, ctx.io.cwd, { checkOnly: true });
      await withTarget(ctx, flags, async (target) => {
        const name = precheckNameFor(input, ctx.now());
        // A request that cannot work fails the pre-checks (exit 1), as the check-only execution would.
        await target.checkRequest?.(input, name).catch((err: unknown) => {
          throw isUsage(err) ? new CliError(`pre-checks failed: ${err.message}`, EXIT.failed) : err;
        });
        const started = await target.startExecution(input, name);
        const ended = await waitForEnd(target, started.executionArn, flags.timeout * 1000);
        const report = (ended.output as { precheck?: PrecheckReportView } | undefined)?.precheck;
        const passed = ended.status === 'SUCCEEDED' && report !== undefined;
        if (!passed) ctx.exitCode = EXIT.failed;
        if (flags.json)
          return printJson(ctx, {
            passed,
            executionArn: ended.executionArn,
            status: ended.status,
            ...(report && { report }),
            ...(ended.error && { error: ended.error, cause: ended.cause }),
          });
        if (passed) ctx.io.out(renderPrecheck(report));
        else
          ctx.io.err(
            `svm-migrate: pre-checks failed: ${ended.error ?? ended.status}${ended.cause ? `: ${ended.cause}` : ''}`,
          );
      });
    });
}

/** A start while another execution migrates the SVM would fail at CheckState: say so before starting. */
async function refuseIfMigrating(target: MigrationTarget, input: ExecutionInput): Promise<void> {
  const active = await target.store.findActiveForSvm(input.source.cluster, input.source.svm);
  if (!active) return;
  const execution = await actingExecution(target, active);
  if (execution?.running) {
    throw refused(
      `SVM ${input.source.cluster}/${input.source.svm} is already being migrated by ${active.id} (execution ${execution.executionArn}); follow it: svm-migrate watch ${active.id}`,
    );
  }
  if (active.status === 'migrate_paused')
    throw refused(
      `SVM ${input.source.cluster}/${input.source.svm} has a paused migration ${active.id}: svm-migrate resume ${active.id}`,
    );
}

async function waitForEnd(target: MigrationTarget, executionArn: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = await target.describeExecution(executionArn);
    if (execution && !execution.running) return execution;
    if (Date.now() > deadline)
      throw new CliError(`execution ${executionArn} still runs after ${timeoutMs / 1000} s`, EXIT.failed);
    await new Promise((resolve) => setTimeout(resolve, target.pollMs));
  }
}

const isUsage = (err: unknown): err is CliError => err instanceof CliError && err.exitCode === EXIT.usage;

function targetHint(flags: TargetFlags): string {
  return flags.target === 'aws' ? ' --target aws' : flags.workDir ? ` --work-dir ${flags.workDir}` : '';
}

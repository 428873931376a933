// What every command gets: where to write, the clock, and the target its flags select.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type ExitCode, usageError } from './errors';
import type { Io } from './io';
import type { MigrationTarget } from './target';
import { AwsTarget } from './targets/aws';
import { LocalTarget } from './targets/local';

export interface TargetFlags {
  target: 'local' | 'aws';
  workDir?: string;
  region?: string;
  profile?: string;
  stack: string;
  stateMachineArn?: string;
  tableName?: string;
}

export interface CommandContext {
  io: Io;
  now(): Date;
  /** The exit code of the command that ran (a thrown error sets its own). */
  exitCode: ExitCode;
}

/** Decimal digits only: `0x10`, `1e3`, `1x`, ` 5` and `-1` are refused, not read as some other number. */
export function wholeNumber(value: string): number {
  return wholeNumberUpTo(Number.MAX_SAFE_INTEGER)(value);
}

/** A whole-number option with an upper bound, refused beyond it with the range. */
export function wholeNumberUpTo(max: number): (value: string) => number {
  return (value) => {
    if (!/^[0-9]+$/.test(value))
      throw new InvalidArgumentError('must be a whole number, 0 or more (decimal digits only)');
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n > max) throw new InvalidArgumentError(`must be from 0 to ${max}`);
    return n;
  };
}

/** The flags that select a target, on every command that reads or starts migrations. */
export function withTargetOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--target <target>', 'where migrations run').choices(['local', 'aws']).default('local'),
    )
    .option(
      '--work-dir <dir>',
      'local target: the folder whose .svm-migrate/ holds the state (default: the current directory)',
    )
    .option('--region <region>', 'aws target: the region (default: the SDK default chain)')
    .option('--profile <profile>', 'aws target: the shared-config profile (default: the SDK default chain)')
    .option(
      '--stack <name>',
      'aws target: the stack whose outputs name the state machine and the table',
      'SvmMigrate',
    )
    .option('--state-machine-arn <arn>', 'aws target: the state machine (the stack output StateMachineArn)')
    .option('--table-name <name>', 'aws target: the migrate-state table (the stack output TableName)');
}

/** The folder whose .svm-migrate/ holds the state; a --work-dir that does not exist is refused (a typo would start services elsewhere). */
export function workDirOf(ctx: CommandContext, flags: Pick<TargetFlags, 'workDir'>): string {
  const dir = path.resolve(ctx.io.cwd, flags.workDir ?? '.');
  if (flags.workDir !== undefined && !fs.existsSync(dir))
    throw usageError(`--work-dir ${flags.workDir}: no such folder (create it first)`);
  if (flags.workDir !== undefined && !fs.statSync(dir).isDirectory())
    throw usageError(`--work-dir ${flags.workDir}: not a folder`);
  return dir;
}

/** Opens the selected target, runs `use`, and closes it whatever happens. */
export async function withTarget<T>(
  ctx: CommandContext,
  flags: TargetFlags,
  use: (target: MigrationTarget) => Promise<T>,
): Promise<T> {
  const target = await openTarget(ctx, flags);
  try {
    return await use(target);
  } finally {
    await target.close();
  }
}

async function openTarget(ctx: CommandContext, flags: TargetFlags): Promise<MigrationTarget> {
  if (flags.target === 'aws') {
    return AwsTarget.open({
      region: flags.region,
      profile: flags.profile,
      stack: flags.stack,
      stateMachineArn: flags.stateMachineArn ?? ctx.io.env.SVM_MIGRATE_STATE_MACHINE_ARN,
      tableName: flags.tableName ?? ctx.io.env.SVM_MIGRATE_TABLE_NAME,
    });
  }
  // The SDK's Node 20 end-of-support notice is noise when nothing calls AWS.
  ctx.io.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const target = await LocalTarget.open({
    workDir: workDirOf(ctx, flags),
    env: ctx.io.env,
    say: servicesNotice(ctx),
  });
  if (target.servicesStarted)
    ctx.io.err(
      `svm-migrate: started the local services (pid ${target.services.pid}); stop them with \`svm-migrate local down\``,
    );
  return target;
}

/** The services' notices, as the CLI's one-line messages on stderr. */
export function servicesNotice(ctx: CommandContext): (line: string) => void {
  return (line) => ctx.io.err(`svm-migrate: ${line}`);
}

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.io.out(JSON.stringify(value));
}

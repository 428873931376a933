// The svm-migrate command line: every command, and how a run turns into an exit code.
import { Command, CommanderError } from 'commander';
import { aslCommand, demoCommand, simCommand } from './commands/dev';
import { localCommand } from './commands/local';
import { repairCommand } from './commands/repair';
import { requestCommand, resumeCommand } from './commands/requests';
import { precheckCommand, startCommand } from './commands/start';
import { historyCommand, listCommand, statusCommand } from './commands/status';
import { watchCommand } from './commands/watch';
import type { CommandContext } from './context';
import { describeFailure, EXIT, type ExitCode } from './errors';
import type { Io } from './io';

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  the operation failed (the migration failed or rolled back, the pre-checks failed)
  2  usage error: a bad flag, argument or input
  3  not found: no such migration or execution
  4  refused: abort past the point of no return, already running, a request that does not apply now
  5  target unavailable: AWS credentials or region missing, local services down

Targets: --target local (default; state in ./.svm-migrate, services started on first use)
         --target aws --state-machine-arn <arn> --table-name <name> [--region] [--profile]`;

export function svmMigrateProgram(ctx: CommandContext, json = false): Command {
  const program = new Command('svm-migrate').description(
    'Migrate an ONTAP SVM between clusters without disrupting its clients',
  );
  for (const command of [
    startCommand(ctx),
    statusCommand(ctx),
    watchCommand(ctx),
    listCommand(ctx),
    requestCommand(ctx, 'pause'),
    resumeCommand(ctx),
    repairCommand(ctx),
    requestCommand(ctx, 'cutover'),
    requestCommand(ctx, 'abort'),
    precheckCommand(ctx),
    historyCommand(ctx),
    localCommand(ctx),
    demoCommand(ctx),
    simCommand(ctx),
    aslCommand(ctx),
  ]) {
    program.addCommand(command);
  }
  program.addHelpText('after', EXIT_CODES_HELP);
  configure(program, ctx.io, json);
  return program;
}

/** Runs one command line (without `node` and the script) and returns its exit code. */
export async function runCli(args: string[], io: Io): Promise<ExitCode> {
  // Under --json every error is one JSON object on stderr too, the usage errors included.
  const json = jsonRequested(args);
  // The notices commands print on stderr ("svm-migrate: started the local services...") become {"notice"} objects.
  const jsonIo: Io = {
    ...io,
    err: (text) =>
      io.err(
        text.startsWith('svm-migrate: ')
          ? JSON.stringify({ notice: text.slice('svm-migrate: '.length) })
          : text,
      ),
  };
  const ctx: CommandContext = { io: json ? jsonIo : io, now: () => new Date(), exitCode: EXIT.ok };
  try {
    await svmMigrateProgram(ctx, json).parseAsync(args, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    // --help and --version end the parse by throwing too; they are not failures (help shown for a missing command is).
    if (
      err instanceof CommanderError &&
      (err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
    )
      return EXIT.ok;
    const { exitCode, message } = describeFailure(err);
    // Commander has already printed its own usage errors (see configure).
    if (!(err instanceof CommanderError))
      io.err(json ? JSON.stringify({ error: { exitCode, message } }) : `svm-migrate: ${message}`);
    return exitCode;
  }
}

/** `--json` among the options (not after `--`, not as another option's value such as `--reason --json`). */
function jsonRequested(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
}

/**
 * Every command throws instead of exiting (so the exit code is ours) and prints usage errors
 * as one line; addCommand does not pass these settings on, so they are set on each.
 */
function configure(command: Command, io: Io, json: boolean): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => io.write(text),
    writeErr: (text) => io.err(text.trimEnd()),
    outputError: (text) => {
      const message = `${text.trim().replace(/^error: /, '')} (see --help)`;
      io.err(json ? JSON.stringify({ error: { exitCode: EXIT.usage, message } }) : `svm-migrate: ${message}`);
    },
  });
  for (const sub of command.commands) configure(sub, io, json);
}

// The development commands: `demo` (behind `npm start`), `sim` and `asl`.
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { parseSchedule } from '../../chaos/schedule';
import { type CommandContext, wholeNumber, wholeNumberUpTo } from '../context';
import { usageError } from '../errors';

/**
 * The simulator, the demo and the CDK synthesis load on demand, so that the other commands
 * start fast. require, not import(): `npx svm-migrate` runs through tsx's CommonJS hook, which
 * a dynamic import() bypasses.
 */
const lazy = {
  demo: () => require('../demo') as typeof import('../demo'),
  pair: () => require('../../sim/pair') as typeof import('../../sim/pair'),
  definition: () => require('../../local/definition') as typeof import('../../local/definition'),
};

/** Commands that never call AWS: the SDK's Node 20 end-of-support notice is noise there. */
function localOnly(ctx: CommandContext): void {
  ctx.io.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** Refused before anything starts, with the position and the reason. */
function faultSchedule(value: string): string {
  try {
    parseSchedule(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

export function demoCommand(ctx: CommandContext): Command {
  return new Command('demo')
    .description(
      'migrate a demo SVM between two simulated clusters with the synthesized state machine, and summarize',
    )
    .option('--json', 'print only the summary, as one JSON object', false)
    .option('--seed <n>', 'seed of the demo data', wholeNumber, 1)
    .option(
      '--link-bandwidth <bytes/s>',
      'inter-cluster link bandwidth (0: unlimited)',
      wholeNumber,
      2 * 1024 * 1024,
    )
    .option(
      '--work-dir <dir>',
      "the demo's own folder: created and marked by it, its state cleared at the next run; any other non-empty folder is refused",
      path.join('.svm-migrate', 'demo'),
    )
    .option(
      '--faults <schedule>',
      'drill a fault schedule: STEP:KIND[*COUNT][@WHERE], comma-separated (e.g. transfer:transient*3,commit:link-down@ponr)',
      faultSchedule,
    )
    .action(
      async (opts: {
        json: boolean;
        seed: number;
        linkBandwidth: number;
        workDir: string;
        faults?: string;
      }) => {
        localOnly(ctx);
        const { runDemo, DemoFolderError } = lazy.demo();
        const { exitCode } = await runDemo({
          workDir: path.resolve(ctx.io.cwd, opts.workDir),
          json: opts.json,
          seed: opts.seed,
          linkBandwidth: opts.linkBandwidth,
          faults: opts.faults,
          write: (line) => ctx.io.out(line),
        }).catch((err: unknown) => {
          throw err instanceof DemoFolderError ? usageError(err.message) : err;
        });
        ctx.exitCode = exitCode === 0 ? 0 : 1;
      },
    );
}

export function simCommand(ctx: CommandContext): Command {
  return new Command('sim')
    .description(
      'start a simulated source and destination cluster (with the demo SVM) and run until interrupted',
    )
    .option('--data-dir <dir>', 'where the clusters keep their state', path.join('.svm-migrate', 'sim'))
    .option(
      '--port-base <port>',
      'first of 4 consecutive ports (0: any free ports)',
      wholeNumberUpTo(65_532),
      0,
    )
    .option('--seed <n>', 'seed of the demo data', wholeNumber, 1)
    .option('--no-demo', 'do not create the demo SVM')
    .option('--plain-http', 'serve the ONTAP API over plain HTTP instead of HTTPS', false)
    .option(
      '--json',
      'print each cluster as one JSON object (its name, URLs, CA file and credentials), one a line',
      false,
    )
    .action(
      async (opts: {
        dataDir: string;
        portBase: number;
        seed: number;
        demo: boolean;
        plainHttp: boolean;
        json: boolean;
      }) => {
        localOnly(ctx);
        const { startClusterPair } = lazy.pair();
        const pair = await startClusterPair({
          dataDir: path.resolve(ctx.io.cwd, opts.dataDir),
          demo: opts.demo,
          seed: opts.seed,
          portBase: opts.portBase || undefined,
          plainHttp: opts.plainHttp,
        });
        for (const c of [pair.source, pair.destination]) {
          // caFile: what a client (curl --cacert, Ansible's validate_certs) verifies the HTTPS API with.
          const address = {
            name: c.name,
            baseUrl: c.baseUrl,
            caFile: c.caFile,
            controlUrl: c.controlUrl,
            username: c.username,
            password: c.password,
          };
          ctx.io.out(
            opts.json
              ? JSON.stringify(address)
              : `${c.name}: ${c.baseUrl}${c.caFile ? ` (CA ${c.caFile})` : ''} (control ${c.controlUrl}), user ${c.username}, password ${c.password}`,
          );
        }
        if (!opts.json) ctx.io.err('svm-migrate: the clusters run until Ctrl-C');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await pair.stop();
      },
    );
}

export function aslCommand(ctx: CommandContext): Command {
  return new Command('asl')
    .description('print the synthesized state machine definition, resolved to plain JSON')
    .option('--json', 'one line of JSON instead of indented JSON', false)
    .action(async (opts: { json: boolean }) => {
      localOnly(ctx);
      const { synthesizeDefinition } = lazy.definition();
      const { definition } = synthesizeDefinition();
      ctx.io.out(opts.json ? JSON.stringify(definition) : JSON.stringify(definition, null, 2));
    });
}

// `svm-migrate local up|down|status`: the local target's background services, explicitly.
import { Command } from 'commander';
import { ensureLocalServices, runningServices, stopLocalServices } from '../../local/services';
import {
  type CommandContext,
  printJson,
  servicesNotice,
  wholeNumber,
  wholeNumberUpTo,
  workDirOf,
} from '../context';

type Flags = { workDir?: string; json: boolean };

export function localCommand(ctx: CommandContext): Command {
  const local = new Command('local').description(
    "the local target's services: DynamoDB Local and two simulated clusters with the demo SVM",
  );
  local
    .command('up')
    .description('start them in the background (a no-op when they run)')
    .option(
      '--work-dir <dir>',
      'the folder whose .svm-migrate/ holds the state (default: the current directory)',
    )
    .option('--link-bandwidth <bytes/s>', 'inter-cluster link bandwidth (0: unlimited)', wholeNumber)
    .option('--seed <n>', 'seed of the demo data', wholeNumber)
    .option('--volumes <n>', 'volumes of the demo SVM (8 by default, at most 1000)', wholeNumberUpTo(1000))
    .option('--file-bytes <n>', 'every demo file this many bytes', wholeNumber)
    .option('--json', 'print the services as one JSON object', false)
    .action(
      async (
        flags: Flags & { linkBandwidth?: number; seed?: number; volumes?: number; fileBytes?: number },
      ) => {
        const { services, started } = await ensureLocalServices(
          workDirOf(ctx, flags),
          {
            linkBandwidth: flags.linkBandwidth,
            seed: flags.seed,
            volumes: flags.volumes,
            fileBytes: flags.fileBytes,
          },
          servicesNotice(ctx),
        );
        if (flags.json)
          return printJson(ctx, {
            started,
            pid: services.pid,
            dynamoDbEndpoint: services.dynamoDbEndpoint,
            clusters: {
              source: services.clusters.source.baseUrl,
              destination: services.clusters.destination.baseUrl,
            },
          });
        ctx.io.out(
          `${started ? 'started' : 'already running'}: pid ${services.pid}, DynamoDB Local ${services.dynamoDbEndpoint}, ${services.clusters.source.name} ${services.clusters.source.baseUrl}, ${services.clusters.destination.name} ${services.clusters.destination.baseUrl}`,
        );
      },
    );
  local
    .command('down')
    .description('stop them (their data stays in .svm-migrate/)')
    .option(
      '--work-dir <dir>',
      'the folder whose .svm-migrate/ holds the state (default: the current directory)',
    )
    .option('--json', 'print the result as one JSON object', false)
    .action(async (flags: Flags) => {
      const stopped = await stopLocalServices(workDirOf(ctx, flags), servicesNotice(ctx));
      if (flags.json) return printJson(ctx, { stopped });
      ctx.io.out(stopped ? 'stopped' : 'not running');
    });
  local
    .command('status')
    .description('whether they run, and where')
    .option(
      '--work-dir <dir>',
      'the folder whose .svm-migrate/ holds the state (default: the current directory)',
    )
    .option('--json', 'print the services as one JSON object', false)
    .action(async (flags: Flags) => {
      const services = await runningServices(workDirOf(ctx, flags), servicesNotice(ctx));
      if (flags.json)
        return printJson(ctx, {
          running: services !== undefined,
          ...(services && { pid: services.pid, dynamoDbEndpoint: services.dynamoDbEndpoint }),
        });
      ctx.io.out(
        services
          ? `running: pid ${services.pid}, DynamoDB Local ${services.dynamoDbEndpoint}, since ${services.startedAt}`
          : 'not running',
      );
    });
  return local;
}

// The svm-migrate command line: the demo behind `npm start`, the cluster simulator and the
// resolved state machine definition.
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
}

/** Commands that never call AWS: the SDK's Node 20 end-of-support notice is noise there. */
function localOnly(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

const program = new Command('svm-migrate')
  .description('Migrate an ONTAP SVM between clusters without disrupting its clients')
  .showHelpAfterError();

program
  .command('demo')
  .description('migrate a demo SVM between two simulated clusters with the synthesized state machine, and summarize')
  .option('--json', 'print only the summary, as one JSON object', false)
  .option('--seed <n>', 'seed of the demo data', nonNegativeInteger, 1)
  .option('--link-bandwidth <bytes/s>', 'inter-cluster link bandwidth (0: unlimited)', nonNegativeInteger, 2 * 1024 * 1024)
  .option('--work-dir <dir>', 'where the run keeps its state (wiped first)', path.join('.svm-migrate', 'demo'))
  .action(async (opts: { json: boolean; seed: number; linkBandwidth: number; workDir: string }) => {
    localOnly();
    const { runDemo } = await import('../local/demo');
    const { exitCode } = await runDemo({
      workDir: path.resolve(opts.workDir),
      json: opts.json,
      seed: opts.seed,
      linkBandwidth: opts.linkBandwidth,
      write: (line) => process.stdout.write(`${line}\n`),
    });
    process.exitCode = exitCode;
  });

program
  .command('sim')
  .description('start a simulated source and destination cluster (with the demo SVM) and run until interrupted')
  .option('--data-dir <dir>', 'where the clusters keep their state', path.join('.svm-migrate', 'sim'))
  .option('--port-base <port>', 'first of 4 consecutive ports (0: any free ports)', nonNegativeInteger, 0)
  .option('--seed <n>', 'seed of the demo data', nonNegativeInteger, 1)
  .option('--no-demo', 'do not create the demo SVM')
  .action(async (opts: { dataDir: string; portBase: number; seed: number; demo: boolean }) => {
    localOnly();
    const { startClusterPair } = await import('../sim/pair');
    const pair = await startClusterPair({ dataDir: path.resolve(opts.dataDir), demo: opts.demo, seed: opts.seed, portBase: opts.portBase || undefined });
    for (const c of [pair.source, pair.destination]) {
      process.stdout.write(`${JSON.stringify({ name: c.name, baseUrl: c.baseUrl, controlUrl: c.controlUrl, username: c.username, password: c.password })}\n`);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await pair.stop();
  });

program
  .command('asl')
  .description('print the synthesized state machine definition, resolved to plain JSON')
  .action(async () => {
    localOnly();
    const { synthesizeDefinition } = await import('../local/definition');
    const { definition } = synthesizeDefinition();
    process.stdout.write(`${JSON.stringify(definition, null, 2)}\n`);
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`svm-migrate: ${err.message}\n`);
  process.exit(1);
});

// `npm run chaos -- [--runs N] [--seed S] [--json]`: the fault matrix, then N random schedules
// from the seed, each a migration checked against the invariants; prints the chaos report
// (with --json, as one JSON object on the last line). Exits 1 when any scenario failed.
import { Command, InvalidArgumentError } from 'commander';
import { type CampaignFailure, runCampaign } from './campaign';
import { ChaosLab } from './lab';
import { faultMatrix } from './matrix';
import { addScenario, type ChaosReport, emptyReport, renderReport } from './report';
import { runScenario } from './scenario';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
}

interface Options {
  runs: number;
  seed: number;
  json: boolean;
  matrix: boolean;
  path?: string;
}

async function main(options: Options): Promise<number> {
  // With --json, stdout carries only the report: progress goes to stderr.
  const say = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  const started = Date.now();
  const report: ChaosReport = emptyReport();
  const lab = new ChaosLab();
  const record = (label: string) => (result: Parameters<typeof addScenario>[1]) => {
    addScenario(report, result);
    const end = result.remigration
      ? `${result.run.ending}, then ${result.remigration.ending}`
      : result.run.ending;
    say(
      `${result.passed ? 'ok  ' : 'FAIL'} ${label} "${result.schedule}" (seed ${result.seed}): ${end}, ${result.writesAcknowledged} writes, ${result.durationMs} ms`,
    );
    for (const v of result.violations) say(`       invariant ${v.invariant}: ${v.message}`);
  };
  let failure: CampaignFailure | undefined;
  try {
    if (options.matrix) {
      const entries = faultMatrix();
      say(`fault matrix: ${entries.length} scenarios`);
      for (const [i, entry] of entries.entries())
        record('matrix')(await runScenario(lab, { faults: entry.faults, seed: options.seed + i }));
    }
    if (options.runs > 0) {
      say(`random schedules: ${options.runs} from seed ${options.seed}`);
      failure = (
        await runCampaign(lab, {
          seed: options.seed,
          runs: options.runs,
          path: options.path,
          onScenario: record('random'),
        })
      ).failure;
    }
  } finally {
    await lab.close();
  }
  const durationMs = Date.now() - started;
  if (failure) {
    say(
      `\nminimal failing schedule: "${failure.schedule}" (scenario seed ${failure.scenarioSeed}, campaign seed ${failure.seed}, path ${failure.path ?? '-'})`,
    );
    for (const v of failure.violations) say(`  ${v}`);
    say(`replay: ${failure.replay}`);
  }
  say(`\n${renderReport(report)}\ntook ${(durationMs / 1000).toFixed(1)} s`);
  if (options.json)
    process.stdout.write(
      `${JSON.stringify({ ...report, seed: options.seed, runs: options.runs, durationMs, ...(failure && { minimalFailure: failure }) })}\n`,
    );
  return report.passed === report.scenarios && !failure ? 0 : 1;
}

const program = new Command('chaos')
  .description('run the fault matrix and random fault schedules against migrations, checking the invariants')
  .option('--runs <n>', 'random schedules to run', wholeNumber, 100)
  .option(
    '--seed <n>',
    'seed of the random schedules (and the matrix scenarios)',
    wholeNumber,
    Date.now() % 1_000_000,
  )
  .option('--path <path>', "fast-check's path of one case (with --seed): replay exactly that case")
  .option('--no-matrix', 'skip the fault matrix')
  .option('--json', 'print the report as one JSON object on the last line', false)
  .action(async (opts: Options) => {
    process.exitCode = await main(opts);
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`chaos: ${err.message}\n`);
  process.exit(1);
});

// The svm-migrate command line (commands in cli/): exits with the command's documented code.
import { processIo } from '../cli/io';
import { runCli } from '../cli/program';

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`svm-migrate: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);

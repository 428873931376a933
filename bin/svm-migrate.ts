// The svm-migrate command line (commands in cli/): exits with the command's documented code.
import { processIo } from '../cli/io';
import { runCli } from '../cli/program';

// The SDK's notice that its releases after January 2027 need Node 22: this package pins its SDK
// versions, which support the Node it states (package.json engines), so on every command it is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`svm-migrate: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);

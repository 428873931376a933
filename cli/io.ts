// Where a command writes: the process's streams, or a test's buffers. Commands never touch
// process.stdout directly, so the same command runs in a test and in a terminal.
export interface Io {
  /** One line (or several) on stdout. */
  out(text: string): void;
  /** One line on stderr. */
  err(text: string): void;
  /** Raw stdout, for redrawing in place. */
  write(text: string): void;
  /** Redraw in place only on a terminal; pipes and files get one line per change. */
  readonly isTTY: boolean;
  readonly columns: number;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    write: (text) => process.stdout.write(text),
    isTTY: process.stdout.isTTY === true,
    columns: process.stdout.columns ?? 100,
    env: process.env,
    cwd: process.cwd(),
  };
}

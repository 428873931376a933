// The execution input of `start` and `precheck`, from flags or a file, validated with the
// schema before anything starts; and the execution names derived from it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ExecutionInput, parseExecutionInput } from '../lambdas/input';
import type { MigrationRecord } from '../lambdas/state/records';
import { usageError } from './errors';

export interface InputFlags {
  input?: string;
  sourceCluster?: string;
  sourceSvm?: string;
  destinationCluster?: string;
  aggregates?: string[];
  autoCutover: boolean;
  autoSourceCleanup: boolean;
  throttle?: number;
}

const FLAG_OF: Record<string, string> = {
  'source.cluster': '--source-cluster',
  'source.svm': '--source-svm',
  'destination.cluster': '--destination-cluster',
  'destination.aggregates': '--aggregates',
  throttle: '--throttle',
};

/** The flag a field of the execution input comes from, when one does. */
export const flagOf = (field: string): string | undefined => FLAG_OF[field];

/** `--input file.json` as given, or the flags; either way through the execution input schema. */
export function executionInputFrom(
  flags: InputFlags,
  cwd: string,
  extra: Partial<ExecutionInput> = {},
): ExecutionInput {
  if (flags.input !== undefined) {
    const given = [
      flags.sourceCluster,
      flags.sourceSvm,
      flags.destinationCluster,
      flags.aggregates,
      flags.throttle,
    ].some((v) => v !== undefined);
    if (given)
      throw usageError(
        '--input cannot be combined with --source-cluster, --source-svm, --destination-cluster, --aggregates or --throttle',
      );
    const fromFile = readInputFile(path.resolve(cwd, flags.input));
    if (!fromFile || typeof fromFile !== 'object' || Array.isArray(fromFile))
      throw usageError(`--input ${flags.input}: not a JSON object`);
    return validated({ ...fromFile, ...extra });
  }
  const missing = ['sourceCluster', 'sourceSvm', 'destinationCluster'].filter(
    (k) => flags[k as keyof InputFlags] === undefined,
  );
  if (missing.length > 0) {
    throw usageError(
      `missing ${missing.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} (or give --input file.json)`,
    );
  }
  return validated({
    source: { cluster: flags.sourceCluster, svm: flags.sourceSvm },
    destination: {
      cluster: flags.destinationCluster,
      ...(flags.aggregates && { aggregates: flags.aggregates }),
    },
    autoCutover: flags.autoCutover,
    autoSourceCleanup: flags.autoSourceCleanup,
    ...(flags.throttle !== undefined && { throttle: flags.throttle }),
    ...extra,
  });
}

/** The input a fresh execution needs to continue a migration (resume): what it was started with, plus its id. */
export function resumeInput(m: MigrationRecord): ExecutionInput {
  return validated({
    source: m.source,
    destination: {
      cluster: m.destination.cluster,
      ...(m.destination.aggregates && { aggregates: m.destination.aggregates }),
    },
    autoCutover: m.options.autoCutover,
    autoSourceCleanup: m.options.autoSourceCleanup,
    throttle: m.options.throttle,
    ...(m.options.sourceChanges && { sourceChanges: m.options.sourceChanges }),
    migrationId: m.id,
  });
}

function validated(value: unknown): ExecutionInput {
  try {
    return parseExecutionInput(value);
  } catch (err) {
    // Name the flag the field came from, when it came from one.
    const field = (err as { field?: string }).field;
    const flag = field && FLAG_OF[field];
    throw usageError(flag ? `${(err as Error).message} (${flag})` : (err as Error).message);
  }
}

function readInputFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(
      `cannot read --input ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError(`--input ${file} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * The execution name of a start: the same input always gives the same name, so a repeated
 * start (a retried script, a second terminal) finds the first execution instead of running twice.
 * `<cluster>.<svm>-<16 hex of the input's hash>`, within Step Functions' 80 characters.
 */
export function executionNameFor(input: ExecutionInput): string {
  const hash = createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 16);
  const prefix = `${input.source.cluster}.${input.source.svm}`
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 80 - hash.length - 1);
  return `${prefix}-${hash}`;
}

/** A resume's name: one per version of the migration, so resuming after each pause gets a fresh name. */
export function resumeNameFor(m: MigrationRecord): string {
  return `${m.id}-r${m.version}`.slice(0, 80);
}

/** Check-only runs change nothing, so each gets its own name. */
export function precheckNameFor(input: ExecutionInput, now: Date): string {
  return `precheck-${executionNameFor(input).slice(-16)}-${now.getTime().toString(36)}`;
}

/** Execution names as the user may give them (--name): Step Functions' rule. */
export function assertExecutionName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,80}$/.test(name))
    throw usageError(`--name ${JSON.stringify(name)}: 1 to 80 letters, digits, '.', '_' or '-'`);
  return name;
}

/** JSON with sorted keys: the hash must not depend on the order the fields were given in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

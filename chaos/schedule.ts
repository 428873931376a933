// The fault-schedule language of drills and chaos runs: comma-separated `STEP:KIND[*COUNT][@WHERE]`,
// e.g. `transfer:transient*3, commit:link-down@ponr`. Parsing refuses, with the 1-based position
// and the reason, anything that does not parse or that names a fault the step cannot meet.

export const STEPS = [
  'setup',
  'transfer',
  'cutover',
  'precommit',
  'commit',
  'cleanup',
  'undo-setup',
  'undo-transfer',
  'undo-precommit',
  'any',
] as const;
export type Step = (typeof STEPS)[number];
/** The steps a fault is injected at: `any` resolves to one of the forward steps. */
export type ConcreteStep = Exclude<Step, 'any'>;

export const KINDS = [
  'transient',
  'network',
  'node-down',
  'link-down',
  'crash',
  'abort',
  'pause',
  'dynamodb',
  'auth',
  'latency',
  'source-add-volume',
  'source-delete-volume',
] as const;
export type Kind = (typeof KINDS)[number];

export const SIDES = ['source', 'destination', 'both'] as const;
export type Side = (typeof SIDES)[number];
/** The ONTAP APIs a `latency` fault slows (on both clusters): each a family of paths. */
export const APIS = ['snapmirror', 'volumes', 'interfaces', 'svms', 'jobs', 'all'] as const;
export type Api = (typeof APIS)[number];
export type Where = Side | 'ponr' | Api;
/** A `latency` fault adds COUNT times this to every call of its API. */
export const LATENCY_STEP_MS = 100;

export interface Fault {
  step: Step;
  kind: Kind;
  count: number;
  where?: Where;
}

const FORWARD_STEPS: readonly ConcreteStep[] = [
  'setup',
  'transfer',
  'cutover',
  'precommit',
  'commit',
  'cleanup',
];

/**
 * Which faults each step can meet, and why the others cannot:
 * - an undo runs on the destination's API only: no relocation, no link, nothing to abort or pause;
 * - the link carries the transfers (transfer, cut-over wait, pre-commit's final update) and is
 *   checked at the point of no return (commit);
 * - abort and pause are acted on at the transfer and cut-over loops, before the point of no
 *   return; a request made during setup is acted on at the first transfer poll;
 * - every task, undo included, reads and writes the migrate state: DynamoDB can fail anywhere;
 * - credentials refused (`auth`) before the point of no return send the migration down its undo
 *   chain; at and after it the destination serves and only an operator can fix credentials;
 * - the source SVM changes shape (a volume created or deleted by its administrator) while its
 *   volumes transfer or wait for the cut-over, not once pre-commit has stopped client access.
 */
const BEFORE_PONR: readonly Kind[] = [
  'transient',
  'network',
  'node-down',
  'crash',
  'dynamodb',
  'auth',
  'latency',
];
const SOURCE_CHANGES: readonly Kind[] = ['source-add-volume', 'source-delete-volume'];
const UNDO: readonly Kind[] = ['transient', 'network', 'crash', 'dynamodb', 'latency'];
const APPLIES: Record<ConcreteStep, readonly Kind[]> = {
  setup: [...BEFORE_PONR, 'abort', 'pause'],
  transfer: [...BEFORE_PONR, 'link-down', 'abort', 'pause', ...SOURCE_CHANGES],
  cutover: [...BEFORE_PONR, 'link-down', 'abort', 'pause', ...SOURCE_CHANGES],
  precommit: [...BEFORE_PONR, 'link-down'],
  commit: ['transient', 'network', 'node-down', 'link-down', 'crash', 'dynamodb', 'latency'],
  cleanup: ['transient', 'network', 'node-down', 'crash', 'dynamodb', 'latency'],
  'undo-setup': UNDO,
  'undo-transfer': UNDO,
  'undo-precommit': UNDO,
};

/** The faults a step can meet (for `any`: those some forward step can meet). */
export function kindsFor(step: Step): readonly Kind[] {
  if (step === 'any') return KINDS;
  return APPLIES[step];
}

/** The forward steps where `kind` applies: what `any` may resolve to. */
export function stepsFor(kind: Kind): ConcreteStep[] {
  return FORWARD_STEPS.filter((step) => APPLIES[step].includes(kind));
}

/** Faults that repeat (or have a size) make sense for these; an abort or a change of the source happens once. */
const COUNTED: readonly Kind[] = [
  'transient',
  'network',
  'node-down',
  'link-down',
  'crash',
  'pause',
  'dynamodb',
  'latency',
];
export const MAX_COUNT = 20;

/** Whether COUNT means something for a kind (the others happen once and take none). */
export const takesCount = (kind: Kind): boolean => COUNTED.includes(kind);

/** The sides a cluster may refuse the credentials on (`both` would stop every task at once). */
const AUTH_SIDES: readonly Side[] = ['source', 'destination'];

/** The @WHERE values a fault of `kind` at `step` may name; none when it takes no @WHERE there. */
export function wheresFor(step: Step, kind: Kind): readonly Where[] {
  if (kind === 'network') return SIDES;
  if (kind === 'auth') return AUTH_SIDES;
  if (kind === 'latency') return APIS;
  if (kind === 'link-down' && (step === 'commit' || step === 'any')) return ['ponr'];
  return [];
}

export class ScheduleError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`position ${position}: ${reason}`);
    this.name = 'ScheduleError';
  }
}

/** Parses a schedule; an empty (or blank) schedule is no faults. Throws ScheduleError. */
export function parseSchedule(text: string): Fault[] {
  const faults: Fault[] = [];
  if (text.trim() === '') return faults;
  let offset = 0;
  for (const raw of text.split(',')) {
    faults.push(parseFault(raw, offset));
    offset += raw.length + 1;
  }
  return faults;
}

/** One `STEP:KIND[*COUNT][@WHERE]`; `offset` is where `raw` starts in the whole schedule (0-based). */
function parseFault(raw: string, offset: number): Fault {
  const lead = raw.length - raw.trimStart().length;
  const text = raw.trim();
  const at = (i: number) => offset + lead + i + 1;
  if (text === '') throw new ScheduleError(at(0), 'empty fault (expected STEP:KIND[*COUNT][@WHERE])');

  const colon = text.indexOf(':');
  if (colon < 0) throw new ScheduleError(at(text.length), `missing ":" after "${text}" (expected STEP:KIND)`);
  const stepText = text.slice(0, colon);
  if (!(STEPS as readonly string[]).includes(stepText)) {
    throw new ScheduleError(at(0), `unknown step "${stepText}" (expected one of ${STEPS.join(', ')})`);
  }
  const step = stepText as Step;

  const rest = text.slice(colon + 1);
  const match = /^([a-z-]*)(?:\*([^@]*))?(?:@(.*))?$/.exec(rest);
  const kindText = match?.[1] ?? rest;
  const kindAt = at(colon + 1);
  if (!match || !(KINDS as readonly string[]).includes(kindText)) {
    throw new ScheduleError(
      kindAt,
      `unknown kind "${kindText || rest}" (expected one of ${KINDS.join(', ')})`,
    );
  }
  const kind = kindText as Kind;
  if (!kindsFor(step).includes(kind)) {
    throw new ScheduleError(
      kindAt,
      `${kind} does not apply to ${step} (${step} takes ${kindsFor(step).join(', ')})`,
    );
  }

  let count = 1;
  const countText = match[2];
  const countAt = kindAt + kind.length + 1;
  if (countText !== undefined) {
    if (!/^[0-9]+$/.test(countText))
      throw new ScheduleError(countAt, `count "${countText}" is not a whole number`);
    count = Number(countText);
    if (count < 1 || count > MAX_COUNT)
      throw new ScheduleError(countAt, `count ${count} is out of range (1 to ${MAX_COUNT})`);
    if (!takesCount(kind)) throw new ScheduleError(countAt - 1, `${kind} takes no count (it happens once)`);
  }

  const whereText = match[3];
  const whereAt = countAt + (countText === undefined ? 0 : countText.length + 1);
  const where = whereText === undefined ? undefined : parseWhere(step, kind, whereText, whereAt);
  return { step, kind, count, ...(where && { where }) };
}

function parseWhere(step: Step, kind: Kind, text: string, position: number): Where {
  const allowed = wheresFor(step, kind);
  if ((allowed as readonly string[]).includes(text)) return text as Where;
  if (kind === 'link-down') {
    if (text !== 'ponr') throw new ScheduleError(position, `link-down takes only @ponr, not @${text}`);
    throw new ScheduleError(
      position,
      `@ponr is the commit's point of no return: it applies to commit, not ${step}`,
    );
  }
  if (allowed.length === 0) {
    throw new ScheduleError(
      position - 1,
      `${kind} takes no @WHERE (only network, auth, latency and link-down do)`,
    );
  }
  const names = allowed.map((w) => `@${w}`);
  throw new ScheduleError(
    position,
    `${kind} takes ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}, not @${text}`,
  );
}

/** The schedule's canonical text: parsing it gives the same faults. */
export function formatSchedule(faults: readonly Fault[]): string {
  return faults
    .map((f) => `${f.step}:${f.kind}${f.count !== 1 ? `*${f.count}` : ''}${f.where ? `@${f.where}` : ''}`)
    .join(',');
}

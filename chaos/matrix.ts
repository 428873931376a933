// The fault matrix: every step times every fault kind that applies to it, each its own
// migration. An undo runs only after something went wrong, so an undo's faults come with the
// operator's abort that sends the migration down that undo chain.
import {
  type Api,
  type ConcreteStep,
  type Fault,
  type Kind,
  kindsFor,
  parseSchedule,
  SIDES,
  STEPS,
} from './schedule';

export interface MatrixEntry {
  /** The schedule as text: the row's name, and what `npm start -- --faults` takes. */
  schedule: string;
  faults: Fault[];
}

/** What makes each undo run: an abort while transferring undoes transfer then setup; in the cut-over wait, pre-commit first. */
const UNDO_TRIGGER: Partial<Record<ConcreteStep, string>> = {
  'undo-setup': 'transfer:abort',
  'undo-transfer': 'transfer:abort',
  'undo-precommit': 'cutover:abort',
};

export function faultMatrix(): MatrixEntry[] {
  const entries: MatrixEntry[] = [];
  for (const step of STEPS) {
    if (step === 'any') continue;
    for (const kind of kindsFor(step)) {
      for (const fault of variants(step, kind)) {
        const schedule = [UNDO_TRIGGER[step], fault].filter(Boolean).join(',');
        entries.push({ schedule, faults: parseSchedule(schedule) });
      }
    }
  }
  return entries;
}

/** The API each step leans on most: the one a `latency` fault slows there. */
const BUSIEST_API: Record<ConcreteStep, Api> = {
  setup: 'volumes',
  transfer: 'snapmirror',
  cutover: 'snapmirror',
  precommit: 'interfaces',
  commit: 'interfaces',
  cleanup: 'volumes',
  'undo-setup': 'svms',
  'undo-transfer': 'snapmirror',
  'undo-precommit': 'interfaces',
};

/** More failed DynamoDB requests than the SDK's own three attempts: one task attempt fails. */
const DYNAMODB_RESETS = 4;
/** Three times LATENCY_STEP_MS on every call of the API. */
const LATENCY_STEPS = 3;

/**
 * Claim 7 names each side of a network failure; the link at commit is the point of no return;
 * credentials are refused by the destination (where the tasks run), and once by the source.
 */
function variants(step: ConcreteStep, kind: Kind): string[] {
  if (kind === 'network') return SIDES.map((side) => `${step}:network@${side}`);
  if (kind === 'link-down' && step === 'commit') return ['commit:link-down@ponr'];
  if (kind === 'auth')
    return step === 'transfer'
      ? ['transfer:auth@destination', 'transfer:auth@source']
      : [`${step}:auth@destination`];
  if (kind === 'latency') return [`${step}:latency*${LATENCY_STEPS}@${BUSIEST_API[step]}`];
  if (kind === 'dynamodb') return [`${step}:dynamodb*${DYNAMODB_RESETS}`];
  return [`${step}:${kind}`];
}

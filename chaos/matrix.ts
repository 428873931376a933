// The fault matrix: every step times every fault kind that applies to it, each its own
// migration. An undo runs only after something went wrong, so an undo's faults come with the
// operator's abort that sends the migration down that undo chain.
import { kindsFor, parseSchedule, SIDES, STEPS, type ConcreteStep, type Fault, type Kind } from './schedule';

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

/** Claim 7 names each side of a network failure; the link at commit is the point of no return. */
function variants(step: ConcreteStep, kind: Kind): string[] {
  if (kind === 'network') return SIDES.map((side) => `${step}:network@${side}`);
  if (kind === 'link-down' && step === 'commit') return ['commit:link-down@ponr'];
  return [`${step}:${kind}`];
}

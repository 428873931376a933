// Operator requests (pause, abort, cutover): where each one takes effect, said to the operator
// when it is made and acted on by the steps. Abort is read at the start of every step up to the
// point of no return; pause at the poll loops and before the cut-over begins; after the point of
// no return neither applies.

import { REQUEST_PHASES } from '../../state/migration-store';
import type { MigrationRecord, OperatorRequest } from '../../state/records';

/** Phases before the cut-over began: client access is untouched, a pause leaves the source serving. */
const BEFORE_CUTOVER = REQUEST_PHASES.pause;

export type RequestAnswer = { accepted: true; takesEffect: string } | { accepted: false; reason: string };

/** Whether `kind` applies to `m` now and, if so, where it will take effect (what the CLI answers). */
export function answerRequest(m: MigrationRecord, kind: OperatorRequest): RequestAnswer {
  if (kind === 'cutover' && m.options.autoCutover)
    return { accepted: false, reason: 'it cuts over automatically (started without --no-auto-cutover)' };
  if (m.pointOfNoReturn) {
    return {
      accepted: false,
      reason: `it passed the point of no return (phase ${m.phase}), so it can only roll forward`,
    };
  }
  const before = BEFORE_CUTOVER.includes(m.phase);
  switch (kind) {
    case 'abort':
      return {
        accepted: true,
        takesEffect: `at the start of its next step (now ${m.phase}); the migration is undone and ends Aborted, the source SVM serves`,
      };
    case 'pause':
      if (!before)
        return {
          accepted: false,
          reason: `the cut-over has begun (phase ${m.phase}): client access is stopped; abort it (it rolls back) or let it complete`,
        };
      return {
        accepted: true,
        takesEffect:
          m.phase === 'setup_configuration'
            ? "at the transfer's first poll, once setup is done"
            : `at its next poll or before the cut-over begins (now ${m.phase}); the source SVM keeps serving`,
      };
    case 'cutover':
      if (m.phase === 'cutover_triggered' || !before)
        return { accepted: false, reason: `the cut-over was already triggered (phase ${m.phase})` };
      return {
        accepted: true,
        takesEffect:
          m.phase === 'ready_for_cutover'
            ? 'at its next poll of the trigger'
            : `once its volumes are in sync (now ${m.phase})`,
      };
  }
}

// The execution input that the console, EventBridge and the CLI send, validated once at
// the first state; past this point the rest of the code trusts its type.
import schema from '../schema/execution-input.schema.json';
import { validatorFor } from './validation';

export interface ClusterSvm {
  cluster: string;
  svm: string;
}

export type SourceChanges = 'follow' | 'refuse';

export interface ExecutionInput {
  source: ClusterSvm;
  destination: { cluster: string; aggregates?: string[] };
  autoCutover: boolean;
  autoSourceCleanup: boolean;
  /** KB/s per volume, 0 for unlimited (ONTAP's max_transfer_rate unit). */
  throttle: number;
  /** What a volume created or deleted on the source while it transfers does: followed, or refused before the point of no return. */
  sourceChanges: SourceChanges;
  checkOnly: boolean;
  migrationId?: string;
  /** Resolve an undo_failed migration (migrationId) after an operator's repair. */
  repair?: UndoRepair;
}

export interface UndoRepair {
  /** retryUndo: run the undo chain again; markRepaired: the operator removed what the migration created. */
  action: 'retryUndo' | 'markRepaired';
  reason: string;
}

export const executionInputSchema = schema;

export const parseExecutionInput = validatorFor<ExecutionInput>(schema, 'execution input');

// The cluster operations of each migration phase, paired with their undo, over two OntapClients.

export {
  type CommitResult,
  commit,
  destinationTakesClients,
  isDestinationServing,
  restartSourceVserver,
} from './commit';
export type {
  ClusterPair,
  MigrationPlan,
  OperationContext,
  VolumeCheckpoint,
  VolumeCheckpointPatch,
} from './context';
export { pickHealthyNode } from './nodes';
export { type PreCommitResult, preCommit, undoPreCommit } from './pre-commit';
export { type PrecheckReport, precheck } from './precheck';
export { type RelocationResult, relocateDestinationVolumes } from './relocate';
export { type SetupResult, setup, undoSetup } from './setup';
export { sourceCleanup } from './source-cleanup';
export {
  pollTransfer,
  startTransfer,
  type TransferProgress,
  undoTransfer,
  type VolumeTransferStatus,
} from './transfer';

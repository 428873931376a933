// The cluster operations of each migration phase, paired with their undo, over two OntapClients.
export type { ClusterPair, MigrationPlan, OperationContext, VolumeCheckpoint, VolumeCheckpointPatch } from './context';
export { precheck, type PrecheckReport } from './precheck';
export { setup, undoSetup, type SetupResult } from './setup';
export { startTransfer, pollTransfer, undoTransfer, type TransferProgress, type VolumeTransferStatus } from './transfer';
export { preCommit, undoPreCommit, type PreCommitResult } from './pre-commit';
export { commit, restartSourceVserver, isDestinationServing, destinationTakesClients, type CommitResult } from './commit';
export { sourceCleanup } from './source-cleanup';
export { pickHealthyNode } from './nodes';
export { relocateDestinationVolumes, type RelocationResult } from './relocate';

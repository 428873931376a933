// Shard 2 of the fault matrix (test/chaos/matrix-shard.ts).
import { describeMatrixShard } from './matrix-shard';

describeMatrixShard(1);

// A new migration's request checked against the clusters before anything is created or locked:
// a request that cannot work ends the execution at CheckState, naming the field and the reason,
// instead of failing in setup, being undone and restarted on an error that cannot change.
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { ExecutionInput } from '../../input';
import type { ClusterSide, OntapClient } from '../../ontap/client';
import { sourceSvm } from '../cluster/inventory';
import { candidateAggregates } from '../cluster/placement';
import { bothClusters } from '../cluster/precheck';
import type { Dependencies } from './dependencies';

/**
 * Throws ValidationError (the destination is the source), NotFoundError (a cluster that is not
 * configured, a source SVM or a named aggregate that does not exist), AuthenticationError (a
 * cluster refused the credentials), ConflictError (the destination already has an SVM of that
 * name), or NetworkError (a cluster did not answer: CheckState's Retry tries again).
 */
export async function checkRequest(input: ExecutionInput, deps: Dependencies): Promise<void> {
  if (input.destination.cluster === input.source.cluster) {
    throw new ValidationError(
      `destination.cluster must differ from source.cluster (both are ${JSON.stringify(input.source.cluster)})`,
      {
        field: 'destination.cluster',
      },
    );
  }
  const source = await connect(deps, input.source.cluster, 'source');
  const destination = await connect(deps, input.destination.cluster, 'destination');
  // Both at once: proves each answers and accepts the credentials, and an outage of both is one NetworkError on `both`.
  await bothClusters(source, destination);
  await sourceSvm(source, { migrationId: 'request', sourceSvm: input.source.svm });
  const clash = await destination.svms.findByName(input.source.svm);
  if (clash) {
    throw new ConflictError(
      `source.svm: destination cluster ${input.destination.cluster} already has an SVM named ${clash.name}`,
      {
        side: 'destination',
        field: 'source.svm',
      },
    );
  }
  const aggregates = input.destination.aggregates;
  if (aggregates && aggregates.length > 0) {
    const [found, nodes] = await Promise.all([destination.aggregates.list(), destination.nodes.list()]);
    candidateAggregates(found, nodes, aggregates);
  }
}

/** The cluster's client; a name without a configuration is a NotFoundError about the request's field. */
async function connect(deps: Dependencies, cluster: string, side: ClusterSide): Promise<OntapClient> {
  try {
    return await deps.connect(cluster, side);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    throw new NotFoundError(
      `${side}.cluster: cluster ${JSON.stringify(cluster)} is not configured (${err.message})`,
      { field: `${side}.cluster`, cause: err },
    );
  }
}

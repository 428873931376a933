// The checks a storage administrator expects before anything is created: both clusters are
// configured and reachable, the source SVM exists and the destination is another cluster,
// named aggregates exist there, and no foreign SVM of that name is there. The local target
// runs them against its clusters before `start` and `precheck` (the state machine's Precheck
// runs them again, for every target).
import { precheck } from '../lambdas/domain/cluster/precheck';
import { AuthenticationError, NetworkError } from '../lambdas/errors';
import type { ExecutionInput } from '../lambdas/input';
import { type ClusterSide, OntapClient } from '../lambdas/ontap/client';
import type { ClusterAddress } from '../local/environment';
import { type CliError, unavailable, usageError } from './errors';
import { flagOf } from './input';

const TIMEOUT_MS = 10_000;

/** Refuses (exit 2, one line naming the field, its flag and the reason) a request that cannot work. */
export async function checkRequest(input: ExecutionInput, clusters: ClusterAddress[]): Promise<void> {
  const configured = (field: 'source.cluster' | 'destination.cluster', name: string) => {
    const found = clusters.find((c) => c.name === name);
    if (!found)
      throw badInput(
        field,
        `cluster ${JSON.stringify(name)} is not configured (configured: ${clusters.map((c) => c.name).join(', ')})`,
      );
    return found;
  };
  const source = configured('source.cluster', input.source.cluster);
  const destination = configured('destination.cluster', input.destination.cluster);
  if (source.name === destination.name)
    throw badInput('destination.cluster', `is the source cluster ${source.name}; give another cluster`);

  const connect = (c: ClusterAddress, side: ClusterSide) =>
    new OntapClient({
      side,
      baseUrl: c.baseUrl,
      username: c.username,
      password: c.password,
      ca: c.ca,
      timeoutMs: TIMEOUT_MS,
    });
  const pair = { source: connect(source, 'source'), destination: connect(destination, 'destination') };
  try {
    await precheck({
      clusters: pair,
      plan: {
        migrationId: 'request-check',
        sourceSvm: input.source.svm,
        aggregates: input.destination.aggregates,
      },
    });
  } catch (err) {
    if (err instanceof NetworkError || err instanceof AuthenticationError)
      throw unavailable(`${err.message} (is the cluster up? locally: svm-migrate local status)`);
    const field = (err as { field?: string }).field;
    if (field) throw badInput(field, (err as Error).message);
    throw err;
  } finally {
    pair.source.close();
    pair.destination.close();
  }
}

function badInput(field: string, reason: string): CliError {
  const flag = flagOf(field);
  return usageError(`${field}: ${reason}${flag ? ` (${flag})` : ''}`);
}

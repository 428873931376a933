// One OntapClient per cluster and side, kept for the container's life (keep-alive sockets);
// rebuilt when the cluster's configuration changes (a rotated password, a new endpoint).
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ClusterConnection, ConfigSource } from '../config';
import { type ClusterSide, OntapClient, type OntapLogger } from '../ontap/client';

const RETURN_TIMEOUT_SECONDS = 15;

export class ClusterConnections {
  private readonly clients = new Map<string, { key: string; client: OntapClient }>();
  private readonly ontapLogger: OntapLogger;

  constructor(
    private readonly config: ConfigSource,
    logger: Logger,
    private readonly options: {
      timeoutMs?: number;
      jobPollMs?: number;
      jobTimeoutMs?: number;
      returnTimeoutSeconds?: number;
    } = {},
  ) {
    this.ontapLogger = {
      debug: (message, extra) => logger.debug(message, { ...extra }),
      warn: (message, extra) => logger.warn(message, { ...extra }),
    };
  }

  readonly connect = async (cluster: string, side: ClusterSide): Promise<OntapClient> => {
    const connection: ClusterConnection = await this.config.cluster(cluster);
    const key = JSON.stringify([
      connection.baseUrl,
      connection.username,
      connection.password,
      connection.ca ?? '',
    ]);
    const id = `${side}:${cluster}`;
    const cached = this.clients.get(id);
    if (cached && cached.key === key) return cached.client;
    cached?.client.close();
    // ONTAP holds an asynchronous call up to return_timeout seconds and answers its outcome when
    // the job ends by then: most steps then cost one round trip instead of a job-poll interval.
    const client = new OntapClient({
      side,
      ...connection,
      returnTimeoutSeconds: RETURN_TIMEOUT_SECONDS,
      ...this.options,
      logger: this.ontapLogger,
    });
    this.clients.set(id, { key, client });
    return client;
  };

  close(): void {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }
}

// SnapMirror (`/api/snapmirror/relationships` and their `/transfers`), called on the
// destination cluster: create, initialize (state `snapmirrored`), quiesce (`paused`),
// break (`broken_off`), delete; start an update, watch it, abort it. A state PATCH only starts
// the transition (a quiesce ends when the running transfer does): quiesce and break poll the
// relationship until it reports the state.

import { TransientError } from '../errors';
import { createdButNotListed } from './error-mapping';
import type { OntapTransport } from './transport';
import type { SnapmirrorRelationship, SnapmirrorTransfer } from './types';

const RELATIONSHIP_FIELDS =
  'uuid,source,destination,policy,state,healthy,unhealthy_reason,lag_time,throttle,transfer';
const TRANSFER_FIELDS =
  'uuid,relationship,state,bytes_transferred,total_bytes,checkpoint_size,snapshot,end_time';

export interface RelationshipCreate {
  /** `svm:volume` on the source cluster, and that cluster's name (the peer to pull from). */
  source: { path: string; cluster?: { name: string } };
  /** `svm:volume` on this (the destination) cluster. */
  destination: { path: string };
  policy?: { name: string };
  /** KB/s, ONTAP's unit (0: unlimited). */
  throttle?: number;
}

export class SnapmirrorApi {
  private static readonly PATH = '/api/snapmirror/relationships';
  constructor(private readonly http: OntapTransport) {}

  listRelationships(
    query: { destinationPath?: string; sourcePath?: string } = {},
  ): Promise<SnapmirrorRelationship[]> {
    return this.http.list<SnapmirrorRelationship>(SnapmirrorApi.PATH, {
      'destination.path': query.destinationPath,
      'source.path': query.sourcePath,
      fields: RELATIONSHIP_FIELDS,
    });
  }

  /** The relationship into `svm:volume`, or undefined (a destination has at most one). */
  async findByDestination(destinationPath: string): Promise<SnapmirrorRelationship | undefined> {
    return (await this.listRelationships({ destinationPath })).find(
      (r) => r.destination.path === destinationPath,
    );
  }

  /** Throws a not-found ValidationError (see isNotFound) when the uuid is unknown. */
  getRelationship(uuid: string): Promise<SnapmirrorRelationship> {
    return this.http.get<SnapmirrorRelationship>(this.relPath(uuid), { fields: RELATIONSHIP_FIELDS });
  }

  /** Creates the relationship uninitialized (no transfer yet); returns it with its uuid. */
  async createRelationship(rel: RelationshipCreate): Promise<SnapmirrorRelationship> {
    await this.http.send('POST', SnapmirrorApi.PATH, { body: rel });
    const created = await this.findByDestination(rel.destination.path);
    if (!created)
      throw createdButNotListed(this.http.side, `SnapMirror relationship to ${rel.destination.path}`);
    return created;
  }

  /** Starts the baseline transfer (PATCH state `snapmirrored` on an uninitialized relationship). */
  initialize(uuid: string): Promise<void> {
    return this.setState(uuid, 'snapmirrored');
  }

  /** Stops scheduled and new transfers; returns once the current one has ended and the state is `paused`. */
  async quiesce(uuid: string): Promise<SnapmirrorRelationship> {
    await this.setState(uuid, 'paused');
    return this.waitForState(uuid, 'paused');
  }

  /** Makes the destination volume writable and ends replication; returns once the state is `broken_off`. */
  async break(uuid: string): Promise<SnapmirrorRelationship> {
    await this.setState(uuid, 'broken_off');
    return this.waitForState(uuid, 'broken_off');
  }

  /** Polls the relationship until it reports `state`, within the job deadline. */
  waitForState(uuid: string, state: SnapmirrorRelationship['state']): Promise<SnapmirrorRelationship> {
    const side = this.http.side;
    let last: SnapmirrorRelationship | undefined;
    return this.http.poll(
      async () => {
        last = await this.getRelationship(uuid);
        return last.state === state ? last : undefined;
      },
      () =>
        new TransientError(
          `${side} cluster: relationship ${uuid} still ${last?.state ?? 'unknown'}, not ${state}, in time`,
          { side },
        ),
    );
  }

  async deleteRelationship(uuid: string): Promise<void> {
    await this.http.send('DELETE', this.relPath(uuid));
  }

  /** Starts an incremental update (POST a transfer); returns it when the cluster reports it back. */
  async startUpdate(relationshipUuid: string): Promise<SnapmirrorTransfer | undefined> {
    const answer = await this.http.send<{ records?: SnapmirrorTransfer[] } & Partial<SnapmirrorTransfer>>(
      'POST',
      `${this.relPath(relationshipUuid)}/transfers`,
      {
        body: {},
        query: { return_records: true },
      },
    );
    return answer.body?.records?.[0] ?? (answer.body?.uuid ? (answer.body as SnapmirrorTransfer) : undefined);
  }

  listTransfers(relationshipUuid: string): Promise<SnapmirrorTransfer[]> {
    return this.http.list<SnapmirrorTransfer>(`${this.relPath(relationshipUuid)}/transfers`, {
      fields: TRANSFER_FIELDS,
    });
  }

  getTransfer(relationshipUuid: string, transferUuid: string): Promise<SnapmirrorTransfer> {
    return this.http.get<SnapmirrorTransfer>(
      `${this.relPath(relationshipUuid)}/transfers/${encodeURIComponent(transferUuid)}`,
      { fields: TRANSFER_FIELDS },
    );
  }

  /** Aborts a running transfer, keeping its restart checkpoint (PATCH state `aborted`). */
  async abortTransfer(relationshipUuid: string, transferUuid: string): Promise<void> {
    await this.http.send(
      'PATCH',
      `${this.relPath(relationshipUuid)}/transfers/${encodeURIComponent(transferUuid)}`,
      { body: { state: 'aborted' } },
    );
  }

  private async setState(uuid: string, state: SnapmirrorRelationship['state']): Promise<void> {
    await this.http.send('PATCH', this.relPath(uuid), { body: { state } });
  }

  private relPath(uuid: string): string {
    return `${SnapmirrorApi.PATH}/${encodeURIComponent(uuid)}`;
  }
}

// Volumes (`/api/storage/volumes`): list an SVM's volumes, create `rw` or `dp` ones, change
// them (mount path, type), move one to another aggregate and wait for the move, delete.

import { TransientError } from '../errors';
import { createdButNotListed } from './error-mapping';
import type { OntapTransport } from './transport';
import type { Ref, Volume, VolumeType } from './types';

/** `is_svm_root` is one of ONTAP's expensive fields: answered only when named. */
const VOLUME_FIELDS =
  'uuid,name,svm,type,state,size,aggregates,is_svm_root,language,style,nas,space,movement';
/** Move states that end a move without the volume arriving. */
const MOVE_FAILED = new Set(['failed', 'aborted']);

export interface VolumeCreate {
  name: string;
  svm: Ref;
  size: number;
  type: VolumeType;
  aggregates: Ref[];
  /** The source volume's language: a destination must have the same one. */
  language?: string;
  nas?: { path?: string; export_policy?: { name: string } };
}

export interface VolumePatch {
  size?: number;
  type?: VolumeType;
  nas?: { path?: string; export_policy?: { name: string } };
}

export interface VolumeQuery {
  svmName?: string;
  svmUuid?: string;
  name?: string;
  type?: VolumeType;
}

export class VolumesApi {
  private static readonly PATH = '/api/storage/volumes';
  constructor(private readonly http: OntapTransport) {}

  list(query: VolumeQuery = {}): Promise<Volume[]> {
    return this.http.list<Volume>(VolumesApi.PATH, {
      'svm.name': query.svmName,
      'svm.uuid': query.svmUuid,
      name: query.name,
      type: query.type,
      // Every SVM has a root volume; it is the SVM's own, never one to migrate.
      is_svm_root: false,
      fields: VOLUME_FIELDS,
    });
  }

  async findByName(svmName: string, name: string): Promise<Volume | undefined> {
    return (await this.list({ svmName, name })).find((v) => v.name === name && v.svm.name === svmName);
  }

  /** Throws a not-found ValidationError (see isNotFound) when the uuid is unknown. */
  get(uuid: string): Promise<Volume> {
    return this.http.get<Volume>(this.path(uuid), { fields: VOLUME_FIELDS });
  }

  async create(volume: VolumeCreate): Promise<Volume> {
    await this.http.send('POST', VolumesApi.PATH, { body: volume });
    const created = await this.findByName(volume.svm.name, volume.name);
    if (!created) throw createdButNotListed(this.http.side, `volume ${volume.svm.name}:${volume.name}`);
    return created;
  }

  async update(uuid: string, patch: VolumePatch): Promise<void> {
    await this.http.send('PATCH', this.path(uuid), { body: patch });
  }

  /** Starts a move to `aggregate` and waits until the volume lives there (ONTAP's move runs in the background). */
  async move(uuid: string, aggregate: string): Promise<Volume> {
    await this.http.send('PATCH', this.path(uuid), {
      body: { movement: { destination_aggregate: { name: aggregate } } },
    });
    return this.waitForMove(uuid, aggregate);
  }

  waitForMove(uuid: string, aggregate: string): Promise<Volume> {
    const side = this.http.side;
    return this.http.poll(
      async () => {
        const volume = await this.get(uuid);
        const state = volume.movement?.state;
        if (state && MOVE_FAILED.has(state)) {
          throw new TransientError(
            `${side} cluster: move of volume ${volume.name} to ${aggregate} ended ${state}`,
            { side },
          );
        }
        const arrived = volume.aggregates.some((a) => a.name === aggregate);
        return arrived && (state === undefined || state === 'success') ? volume : undefined;
      },
      () =>
        new TransientError(`${side} cluster: move of volume ${uuid} to ${aggregate} not finished in time`, {
          side,
        }),
    );
  }

  /** Removes the junction (`nas.path: ""`): ONTAP refuses to delete a mounted volume. */
  async unmount(uuid: string): Promise<void> {
    await this.http.send('PATCH', this.path(uuid), { body: { nas: { path: '' } } });
  }

  /** ONTAP refuses to delete a mounted volume: unmount it first (see inventory's deleteVolume). */
  async delete(uuid: string): Promise<void> {
    await this.http.send('DELETE', this.path(uuid));
  }

  private path(uuid: string): string {
    return `${VolumesApi.PATH}/${encodeURIComponent(uuid)}`;
  }
}

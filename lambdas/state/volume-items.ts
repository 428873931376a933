// Per-volume progress items: each write is fenced by a ConditionCheck on the migration's owner
// in the same transaction, chunked to DynamoDB's limit of 100 items per transaction.
import { NotFoundError, ValidationError } from '../errors';
import { ownershipConflict } from './conflicts';
import { ExpressionBuilder, plain } from './expression-builder';
import { migrationKey, VOLUME_PREFIX, volumeKey, withoutKeys } from './keys';
import { applyVolumePatch } from './patches';
import { queryPartition, type Table } from './queries';
import type { VolumePatch, VolumeProgress } from './records';
import { chunks, TRANSACTION_ITEM_LIMIT, type TransactItem, transactWrite } from './transactions';

export type NewVolume = Pick<VolumeProgress, 'name'> & Partial<VolumeProgress>;

/** Creates or replaces volume items, fenced by the migration's owner, in transactions of at most 100 items. */
export async function putVolumes(
  table: Table,
  id: string,
  owner: string,
  volumes: NewVolume[],
): Promise<void> {
  const names = volumes.map((volume) => volume.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined)
    throw new ValidationError(`volume ${duplicate} is listed twice`, { field: 'volumes' });
  for (const chunk of chunks(volumes, TRANSACTION_ITEM_LIMIT - 1)) {
    const puts: TransactItem[] = chunk.map((volume) => ({
      Put: { TableName: table.name, Item: plain({ ...volumeKey(id, volume.name), ...newVolume(volume) }) },
    }));
    const refused = await transactWrite(table.client, [ownerCheck(table, id, owner), ...puts]);
    if (refused !== undefined) throw ownershipConflict(id, refused[0].old, { owner });
  }
}

/** Sets the patched attributes of one volume, fenced by the migration's owner. */
export async function updateVolume(
  table: Table,
  id: string,
  owner: string,
  name: string,
  patch: VolumePatch,
): Promise<void> {
  const builder = new ExpressionBuilder();
  applyVolumePatch(builder, patch);
  const refused = await transactWrite(table.client, [
    ownerCheck(table, id, owner),
    {
      Update: {
        TableName: table.name,
        Key: volumeKey(id, name),
        ...builder.updateParams(`attribute_exists(${builder.path('pk')})`),
      },
    },
  ]);
  if (refused === undefined) return;
  if (refused[0].conditionFailed) throw ownershipConflict(id, refused[0].old, { owner });
  throw new NotFoundError(`volume ${name} is not part of migration ${id}`, { field: 'volume' });
}

export async function listVolumes(table: Table, id: string): Promise<VolumeProgress[]> {
  const items = await queryPartition(table, id, VOLUME_PREFIX);
  return items.map((item) => withoutKeys<VolumeProgress>(item));
}

export async function deleteVolumes(table: Table, id: string, owner: string): Promise<void> {
  const volumes = await listVolumes(table, id);
  for (const chunk of chunks(volumes, TRANSACTION_ITEM_LIMIT - 1)) {
    const deletes: TransactItem[] = chunk.map((volume) => ({
      Delete: { TableName: table.name, Key: volumeKey(id, volume.name) },
    }));
    const refused = await transactWrite(table.client, [ownerCheck(table, id, owner), ...deletes]);
    if (refused !== undefined) throw ownershipConflict(id, refused[0].old, { owner });
  }
}

/** Fails the transaction unless `owner` still owns the migration. */
function ownerCheck(table: Table, id: string, owner: string): TransactItem {
  const builder = new ExpressionBuilder();
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: migrationKey(id),
      ...builder.conditionParams(`${builder.path('owner')} = ${builder.value(owner)}`),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

function newVolume(volume: NewVolume): VolumeProgress {
  return { bytesTransferred: 0, checkpoint: {}, errors: [], ...volume };
}

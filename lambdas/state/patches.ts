// How a patch becomes an update expression: only the attributes it names are SET (so an
// owner's write never clobbers the operator's `requests`), counters are ADDed, lists appended.
import type { ExpressionBuilder } from './expression-builder';
import type { MigrationPatch, VolumePatch } from './records';

const MIGRATION_SCALARS = [
  'phase',
  'status',
  'generation',
  'pointOfNoReturn',
  'destinationServing',
  'options',
] as const;
const VOLUME_SCALARS = [
  'sourceUuid',
  'destinationUuid',
  'node',
  'relationshipUuid',
  'transferState',
  'bytesTransferred',
  'totalBytes',
] as const;

export function applyMigrationPatch(builder: ExpressionBuilder, patch: MigrationPatch): void {
  for (const key of MIGRATION_SCALARS) {
    if (patch[key] !== undefined) builder.set([key], patch[key]);
  }
  setMembers(builder, 'times', patch.times);
  for (const [counter, amount] of Object.entries(patch.add ?? {})) {
    if (amount !== undefined) builder.add([counter], amount);
  }
  if (patch.message !== undefined) appendTo(builder, 'messages', patch.message);
}

export function applyVolumePatch(builder: ExpressionBuilder, patch: VolumePatch): void {
  for (const key of VOLUME_SCALARS) {
    if (patch[key] !== undefined) builder.set([key], patch[key]);
  }
  setMembers(builder, 'checkpoint', patch.checkpoint);
  if (patch.error !== undefined) appendTo(builder, 'errors', patch.error);
}

/** Merges into a map attribute key by key (the map itself is created when the item is). */
function setMembers(
  builder: ExpressionBuilder,
  map: string,
  members: Record<string, string | undefined> | undefined,
): void {
  for (const [key, value] of Object.entries(members ?? {})) {
    if (value !== undefined) builder.set([map, key], value);
  }
}

function appendTo(builder: ExpressionBuilder, list: string, entry: string): void {
  builder.setTo([list], `list_append(${builder.path(list)}, ${builder.value([entry])})`);
}

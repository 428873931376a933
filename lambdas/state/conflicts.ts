// Turns a refused condition into an error that says why: who owns the migration, which
// version it is at, who holds the lock. Retry/Catch match the class; operators read the text.
import { ConflictError, type MigrationError, NotFoundError } from '../errors';
import type { SvmRef } from './records';
import { type RawItem, rawNumber, rawString } from './transactions';

export function migrationNotFound(id: string): NotFoundError {
  return new NotFoundError(`migration ${id} does not exist`, { field: 'migrationId' });
}

/** The migration item refused an owner's write: another owner, a stale version, or both. */
export function ownershipConflict(
  id: string,
  old: RawItem | undefined,
  fence: { owner: string; expectedVersion?: number },
): MigrationError {
  if (old === undefined) return migrationNotFound(id);
  const owner = rawString(old, 'owner');
  const version = rawNumber(old, 'version');
  const problems: string[] = [];
  if (owner !== fence.owner) {
    problems.push(
      `it is owned by ${owner} (lease until ${rawString(old, 'leaseExpiresAt')}), not by ${fence.owner}`,
    );
  }
  if (fence.expectedVersion !== undefined && version !== fence.expectedVersion) {
    problems.push(`it is at version ${version}, not ${fence.expectedVersion} (a stale read)`);
  }
  if (problems.length === 0) problems.push('its condition failed');
  return new ConflictError(`write to migration ${id} refused: ${problems.join('; ')}`);
}

/** Someone else's migration holds the source SVM's lock (begin). */
export function lockHeld(source: SvmRef, old: RawItem | undefined): ConflictError {
  return new ConflictError(
    `SVM ${source.cluster}/${source.svm} is locked by migration ${rawString(old, 'migrationId')} ` +
      `(owner ${rawString(old, 'owner')}, lease until ${rawString(old, 'leaseExpiresAt')})`,
  );
}

/** The migration no longer holds its source SVM's lock (released, or taken after its lease expired). */
export function lockLost(id: string, source: SvmRef, old: RawItem | undefined): ConflictError {
  const holder = rawString(old, 'migrationId');
  return new ConflictError(
    holder === undefined
      ? `migration ${id} no longer holds the lock on ${source.cluster}/${source.svm}: it was released`
      : `migration ${id} no longer holds the lock on ${source.cluster}/${source.svm}: migration ${holder} holds it`,
  );
}

/** takeOver found a live owner that did not hand off to the newcomer. */
export function takeOverRefused(
  id: string,
  newOwner: string,
  now: string,
  old: RawItem | undefined,
  expectedVersion?: number,
): MigrationError {
  if (old === undefined) return migrationNotFound(id);
  if (expectedVersion !== undefined && rawNumber(old, 'version') !== expectedVersion) {
    return new ConflictError(
      `migration ${id} cannot be taken over by ${newOwner}: it changed since it was read (version ${rawNumber(old, 'version')}, not ${expectedVersion}; owner ${rawString(old, 'owner')})`,
    );
  }
  const handoffTo = rawString(old, 'handoffTo');
  return new ConflictError(
    `migration ${id} cannot be taken over by ${newOwner}: ${rawString(old, 'owner')} owns it ` +
      `with a lease until ${rawString(old, 'leaseExpiresAt')} (now ${now}) and ` +
      (handoffTo === undefined ? 'has not handed it off' : `handed it off to ${handoffTo}`),
  );
}

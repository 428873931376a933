import { resumePoint } from '../../lambdas/domain/migration/check-state';
import type { MigrationRecord } from '../../lambdas/state/records';

function record(patch: Partial<MigrationRecord>): MigrationRecord {
  return {
    id: 'mig-1',
    source: { cluster: 'c1', svm: 's1' },
    destination: { cluster: 'c2' },
    options: { autoCutover: true, autoSourceCleanup: true, throttle: 0 },
    phase: 'setup_configuration',
    status: 'setup_configuration',
    generation: 1,
    version: 3,
    owner: 'arn:exec:1',
    leaseSeconds: 900,
    leaseExpiresAt: '2026-01-01T00:00:00.000Z',
    pointOfNoReturn: false,
    destinationServing: false,
    restarts: 0,
    retries: 0,
    relocations: 0,
    times: { start: '2026-01-01T00:00:00.000Z' },
    requests: {},
    messages: [],
    ...patch,
  };
}

describe('where a fresh execution resumes a migration', () => {
  it.each([
    ['setup not finished', { phase: 'setup_configuration' }, 'setup'],
    ['transferring', { phase: 'transferring' }, 'transfer'],
    ['paused while transferring', { phase: 'transferring', status: 'migrate_paused' }, 'transfer'],
    ['in sync, waiting for the trigger', { phase: 'ready_for_cutover' }, 'cutover'],
    [
      'the trigger consumed, pre-commit not begun',
      { phase: 'cutover_triggered', options: { autoCutover: false, autoSourceCleanup: true, throttle: 0 } },
      'precommit',
    ],
    ['pre-commit under way', { phase: 'cutover_started' }, 'precommit'],
    [
      'crashed inside commit, destination not serving yet',
      { phase: 'cutover_started', pointOfNoReturn: true },
      'commit',
    ],
    [
      'crashed inside commit after the destination served',
      { phase: 'cutover_started', pointOfNoReturn: true, destinationServing: true },
      'commit',
    ],
    [
      'committed, auto cleanup',
      { phase: 'cutover_complete', pointOfNoReturn: true, destinationServing: true },
      'cleanup',
    ],
    [
      'committed, source kept',
      {
        phase: 'cutover_complete',
        pointOfNoReturn: true,
        destinationServing: true,
        options: { autoCutover: true, autoSourceCleanup: false, throttle: 0 },
      },
      'finish',
    ],
    [
      'cleaning the source up',
      { phase: 'source_cleanup', pointOfNoReturn: true, destinationServing: true },
      'cleanup',
    ],
    ['complete', { phase: 'migrate_complete' }, 'complete'],
    ['rolling back from setup', { phase: 'setup_configuration', status: 'rolling_back' }, 'undo_setup'],
    ['rolling back from transfer', { phase: 'transferring', status: 'rolling_back' }, 'undo_transfer'],
    // Where PollCutoverTrigger's Catch goes.
    [
      'rolling back while waiting for the trigger',
      { phase: 'ready_for_cutover', status: 'rolling_back' },
      'undo_precommit',
    ],
    [
      'rolling back after the trigger',
      { phase: 'cutover_triggered', status: 'rolling_back' },
      'undo_precommit',
    ],
    ['rolling back from pre-commit', { phase: 'cutover_started', status: 'rolling_back' }, 'undo_precommit'],
    [
      'rolling back from the point of no return',
      { phase: 'cutover_started', status: 'rolling_back', pointOfNoReturn: true },
      'undo_precommit',
    ],
  ] as [string, Partial<MigrationRecord>, string][])('%s', (_case, patch, expected) => {
    expect(resumePoint(record(patch))).toBe(expected);
  });
});

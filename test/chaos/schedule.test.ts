// The fault-schedule language: what parses, what is refused (with the position and the reason),
// and that the canonical text parses back to the same faults.
import fc from 'fast-check';
import { scheduleArbitrary } from '../../chaos/campaign';
import {
  formatSchedule,
  KINDS,
  kindsFor,
  parseSchedule,
  ScheduleError,
  STEPS,
  stepsFor,
} from '../../chaos/schedule';

describe('fault schedules', () => {
  it.each([
    ['', []],
    ['  ', []],
    ['transfer:transient*3', [{ step: 'transfer', kind: 'transient', count: 3 }]],
    ['precommit:network@both', [{ step: 'precommit', kind: 'network', count: 1, where: 'both' }]],
    ['setup:network*2@source', [{ step: 'setup', kind: 'network', count: 2, where: 'source' }]],
    ['commit:link-down@ponr', [{ step: 'commit', kind: 'link-down', count: 1, where: 'ponr' }]],
    ['transfer:node-down', [{ step: 'transfer', kind: 'node-down', count: 1 }]],
    ['setup:crash', [{ step: 'setup', kind: 'crash', count: 1 }]],
    ['cutover:pause*2', [{ step: 'cutover', kind: 'pause', count: 2 }]],
    ['undo-transfer:transient', [{ step: 'undo-transfer', kind: 'transient', count: 1 }]],
    ['any:link-down@ponr', [{ step: 'any', kind: 'link-down', count: 1, where: 'ponr' }]],
    ['undo-transfer:dynamodb*4', [{ step: 'undo-transfer', kind: 'dynamodb', count: 4 }]],
    ['setup:auth@source', [{ step: 'setup', kind: 'auth', count: 1, where: 'source' }]],
    ['commit:latency*3@interfaces', [{ step: 'commit', kind: 'latency', count: 3, where: 'interfaces' }]],
    ['cutover:source-add-volume', [{ step: 'cutover', kind: 'source-add-volume', count: 1 }]],
    ['transfer:source-delete-volume', [{ step: 'transfer', kind: 'source-delete-volume', count: 1 }]],
    [
      'transfer:abort, undo-setup:crash ,cleanup:transient*2',
      [
        { step: 'transfer', kind: 'abort', count: 1 },
        { step: 'undo-setup', kind: 'crash', count: 1 },
        { step: 'cleanup', kind: 'transient', count: 2 },
      ],
    ],
  ])('parses %j', (text, faults) => {
    // Act
    const parsed = parseSchedule(text);
    // Assess
    expect(parsed).toEqual(faults);
    expect(parseSchedule(formatSchedule(parsed))).toEqual(parsed);
  });

  it.each([
    [
      'transfer:netwrok',
      10,
      'unknown kind "netwrok" (expected one of transient, network, node-down, link-down, crash, abort, pause, dynamodb, auth, latency, source-add-volume, source-delete-volume)',
    ],
    ['setup:transient,commit:netwrok', 24, 'unknown kind "netwrok"'],
    ['transfr:transient', 1, 'unknown step "transfr"'],
    ['transfer', 9, 'missing ":"'],
    ['setup:transient,', 17, 'empty fault'],
    [',setup:crash', 1, 'empty fault'],
    ['transfer:transient*x', 20, 'count "x" is not a whole number'],
    ['transfer:transient*0', 20, 'count 0 is out of range'],
    ['transfer:transient*21', 20, 'count 21 is out of range'],
    ['transfer:abort*2', 15, 'abort takes no count'],
    ['setup:transient@source', 16, 'transient takes no @WHERE'],
    ['setup:crash@both', 12, 'crash takes no @WHERE'],
    ['setup:network@nowhere', 15, 'network takes @source, @destination or @both, not @nowhere'],
    [
      'transfer:link-down@ponr',
      20,
      "@ponr is the commit's point of no return: it applies to commit, not transfer",
    ],
    ['commit:link-down@source', 18, 'link-down takes only @ponr'],
    ['commit:abort', 8, 'abort does not apply to commit'],
    ['precommit:pause', 11, 'pause does not apply to precommit'],
    ['undo-setup:node-down', 12, 'node-down does not apply to undo-setup'],
    ['setup:link-down', 7, 'link-down does not apply to setup'],
    ['setup:auth@both', 12, 'auth takes @source or @destination, not @both'],
    [
      'setup:latency@nfs',
      15,
      'latency takes @snapmirror, @volumes, @interfaces, @svms, @jobs or @all, not @nfs',
    ],
    ['transfer:source-add-volume*2', 27, 'source-add-volume takes no count'],
    ['precommit:source-delete-volume', 11, 'source-delete-volume does not apply to precommit'],
    ['commit:auth', 8, 'auth does not apply to commit'],
    ['undo-setup:auth', 12, 'auth does not apply to undo-setup'],
  ])('refuses %j at position %i: %s', (text, position, reason) => {
    // Act
    let error: unknown;
    try {
      parseSchedule(text);
    } catch (err) {
      error = err;
    }
    // Assess
    expect(error).toBeInstanceOf(ScheduleError);
    expect((error as ScheduleError).position).toBe(position);
    expect((error as ScheduleError).message).toContain(`position ${position}: ${reason}`);
  });

  it('offers every kind at some forward step, and `any` only where a forward step takes it', () => {
    for (const kind of KINDS) expect(stepsFor(kind).length).toBeGreaterThan(0);
    for (const step of STEPS) expect(kindsFor(step).length).toBeGreaterThan(0);
  });

  it('gives the campaign only schedules that parse back to themselves (its replay text is a schedule)', () => {
    // Every kind at every step it applies to is drawn, with its count and @WHERE.
    const drawn = fc.sample(scheduleArbitrary(7), { numRuns: 2000, seed: 42 });
    const kinds = new Set(drawn.flatMap(({ faults }) => faults.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual([...KINDS].sort());
    for (const { faults } of drawn) expect(parseSchedule(formatSchedule(faults))).toEqual(faults);
  });
});

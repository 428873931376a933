// The injector's plan: which step a fault is bound to (`any` resolved from the seed), how many
// occurrences it has, and which step a state belongs to (a relocation belongs to its step).
import { planFaults, stepOf } from '../../chaos/injector';
import { seededRandom } from '../../chaos/random';
import { parseSchedule, stepsFor } from '../../chaos/schedule';

describe('fault plan', () => {
  it.each([
    ['Setup', 'setup'],
    ['StartTransfer', 'transfer'],
    ['PollTransfer', 'transfer'],
    ['RelocatePollTransfer', 'transfer'],
    ['PollCutoverTrigger', 'cutover'],
    ['PreCommit', 'precommit'],
    ['Commit', 'commit'],
    ['SourceCleanup', 'cleanup'],
    ['UndoSetup', 'undo-setup'],
    ['UndoTransfer', 'undo-transfer'],
    ['UndoPreCommit', 'undo-precommit'],
    ['DecideRestart', undefined],
    ['RestartSourceVserver', undefined],
    [undefined, undefined],
  ])('state %s belongs to step %s', (state, step) => {
    expect(stepOf(state)).toBe(step);
  });

  it('repeats node-down, link-down, crash and pause COUNT times; transient and network once, COUNT sized', () => {
    // Act
    const plan = planFaults(
      parseSchedule(
        'setup:crash*3,transfer:transient*4,precommit:network*2@source,cutover:pause*2,transfer:abort',
      ),
      seededRandom(1),
    );
    // Assess
    expect(plan.map((f) => [f.step, f.kind, f.count, f.remaining])).toEqual([
      ['setup', 'crash', 3, 3],
      ['transfer', 'transient', 4, 1],
      ['precommit', 'network', 2, 1],
      ['cutover', 'pause', 2, 2],
      ['transfer', 'abort', 1, 1],
    ]);
  });

  it('resolves `any` from the seed to a forward step the kind applies to, the same way for the same seed', () => {
    // Act
    const resolve = (seed: number) =>
      planFaults(parseSchedule('any:abort,any:node-down,any:link-down@ponr'), seededRandom(seed)).map(
        (f) => f.step,
      );
    // Assess
    for (let seed = 1; seed <= 20; seed++) {
      const [abort, nodeDown, ponr] = resolve(seed);
      expect(stepsFor('abort')).toContain(abort);
      expect(stepsFor('node-down')).toContain(nodeDown);
      expect(ponr).toBe('commit');
      expect(resolve(seed)).toEqual([abort, nodeDown, ponr]);
    }
  });
});

// Shared arrangements for the store tests: a clock the test moves by hand, and a begin input.
import type { BeginInput } from '../../lambdas/state/migration-store';

export interface TestClock {
  now: () => Date;
  advance(seconds: number): void;
}

export function testClock(start = '2026-05-28T10:00:00.000Z'): TestClock {
  let current = new Date(start);
  return {
    now: () => current,
    advance: (seconds) => {
      current = new Date(current.getTime() + seconds * 1000);
    },
  };
}

export function beginInput(overrides: Partial<BeginInput> = {}): BeginInput {
  return {
    source: { cluster: 'source', svm: 'svm_demo' },
    destination: { cluster: 'destination', aggregates: ['aggr1'] },
    options: { autoCutover: true, autoSourceCleanup: true, throttle: 0 },
    owner: 'exec-1',
    leaseSeconds: 300,
    ...overrides,
  };
}

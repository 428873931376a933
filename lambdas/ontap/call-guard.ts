// Who may still call the clusters. A task invocation runs its domain work inside a guard: when
// the invocation is cancelled (its remaining time ran out) the guard's signal aborts the call in
// flight and every later one, and before each mutating call the guard checks that the execution
// still owns the migration, so a task whose execution lost it acts on no cluster (fencing the
// clusters, not only DynamoDB). Carried by AsyncLocalStorage because the clients are shared by
// the container's invocations (keep-alive), while a guard belongs to one invocation.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CallGuard {
  /** Aborted when the invocation is cancelled. */
  signal: AbortSignal;
  /** Throws when this call must not be made. */
  check(method: string, path: string): Promise<void>;
}

const guards = new AsyncLocalStorage<CallGuard>();

export function runGuarded<T>(guard: CallGuard, work: () => Promise<T>): Promise<T> {
  return guards.run(guard, work);
}

/** The guard of the invocation this code runs for; none outside a task (tests, the CLI). */
export function currentGuard(): CallGuard | undefined {
  return guards.getStore();
}

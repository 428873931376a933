// A crash of the orchestrator's process, in-process: every task runs as part of its execution's
// "process", and once that process is killed the task dies at its next call to a cluster or to
// DynamoDB (a call already sent completes on the other side, as it would). Without this, a
// stopped execution's task would run on to its end: a stale task, which fencing only half stops.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Dependencies } from '../lambdas/domain/migration/dependencies';
import { createHandlers } from '../lambdas/handlers/index';
import type { LocalEnvironment } from '../local/environment';

/** What a task of a killed process meets at its next call. */
export class ProcessDied extends Error {
  override readonly name = 'ProcessDied';
}

const process = new AsyncLocalStorage<string>();
const killed = new Set<string>();

/** Runs a task as part of its execution's process. */
export function runInProcess<T>(executionId: string | undefined, task: () => Promise<T>): Promise<T> {
  return executionId ? process.run(executionId, task) : task();
}

/** Kills the process of an execution: its running task dies at its next call. */
export function killProcess(executionId: string): void {
  killed.add(executionId);
}

/** The dependencies, with the clusters and the store dying with the calling task's process. */
export function fenceDependencies(deps: Dependencies): Dependencies {
  const { connect } = deps;
  return {
    ...deps,
    connect: async (cluster, side) => mortal(await connect(cluster, side)),
    store: mortal(deps.store),
  };
}

/** Runs the environment's tasks on fenced dependencies from now on (handlers built anew on them). */
export function fenceTasks(env: Pick<LocalEnvironment, 'useTasks'>): void {
  env.useTasks(({ context }) => {
    const fenced = { ...context, dependencies: fenceDependencies(context.dependencies) };
    return { context: fenced, handlers: createHandlers(fenced) };
  });
}

function assertAlive(): void {
  const executionId = process.getStore();
  if (executionId && killed.has(executionId))
    throw new ProcessDied(`the process of ${executionId} was killed`);
}

/** The object, with every method (nested groups included) dying with the calling task's process. */
function mortal<T extends object>(target: T): T {
  const groups = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          assertAlive();
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
          // The answer of a call sent before the kill reaches nobody.
          return result instanceof Promise
            ? result.then((answer) => {
                assertAlive();
                return answer;
              })
            : result;
        };
      }
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        if (!groups.has(key)) groups.set(key, mortal(value));
        return groups.get(key);
      }
      return value;
    },
  });
}

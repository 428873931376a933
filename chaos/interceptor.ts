// Hooks around every task the local runner invokes: they wrap the environment's record of
// handlers into a new one, which the runner reads at each invocation. The injector learns
// "state X is entered" synchronously, before the task touches a cluster, and "X is done" right
// after, which polling the history cannot promise.
import type { TaskHandlers } from '../lambdas/handlers/index';
import type { HandlerContext, TaskHandler } from '../lambdas/handlers/task';
import type { TaskName } from '../lambdas/tasks';
import type { LocalEnvironment, LocalTasks } from '../local/environment';
import { runInProcess } from './crash';

/** What the state machine gives a task (CheckState and Precheck get their own shapes: fields absent). */
export interface TaskCall {
  task: TaskName;
  migrationId?: string;
  executionId?: string;
  stateName?: string;
  retryCount: number;
}

export interface TaskHooks {
  before?(call: TaskCall): Promise<void>;
  after?(call: TaskCall, outcome: { error?: unknown }): Promise<void>;
  /**
   * Replaces a task's handler for this interception (test doubles), built on the tasks' context
   * (a `taskHandler(...)` is one) or from the handler it replaces.
   */
  replace?: Partial<
    Record<
      TaskName,
      (context: HandlerContext, current: TaskHandler<unknown, unknown>) => TaskHandler<unknown, unknown>
    >
  >;
}

let installed: TaskHooks | undefined;
/** Tasks running now through the hooks, stale ones included (a stopped execution's task runs on). */
let inFlight = 0;

/** Waits until no intercepted task runs (a stale task may still touch the clusters); false past the deadline. */
export async function tasksSettled(deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (inFlight > 0) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** The handlers, each run inside the hooks (and in its execution's process, chaos/crash.ts). */
export function withTaskHooks(tasks: LocalTasks, hooks: TaskHooks): LocalTasks {
  const wrapped = {} as TaskHandlers;
  for (const task of Object.keys(tasks.handlers) as TaskName[]) {
    const replacement = hooks.replace?.[task];
    const inner = replacement ? replacement(tasks.context, tasks.handlers[task]) : tasks.handlers[task];
    wrapped[task] = async (event, context) => {
      const call = describe(task, event);
      inFlight++;
      try {
        await hooks.before?.(call);
        let result: unknown;
        try {
          result = await runInProcess(call.executionId, () => inner(event, context));
        } catch (error) {
          await hooks.after?.(call, { error });
          throw error;
        }
        await hooks.after?.(call, {});
        return result;
      } finally {
        inFlight--;
      }
    };
  }
  return { context: tasks.context, handlers: wrapped };
}

/** Runs the environment's tasks inside the hooks until the returned function is called; one interception at a time. */
export function interceptTasks(env: Pick<LocalEnvironment, 'useTasks'>, hooks: TaskHooks): () => void {
  if (installed)
    throw new Error('task hooks are already installed: one chaos scenario at a time per process');
  installed = hooks;
  const restore = env.useTasks((current) => withTaskHooks(current, hooks));
  return () => {
    restore();
    installed = undefined;
  };
}

function describe(task: TaskName, event: unknown): TaskCall {
  const payload = (event ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : undefined);
  return {
    task,
    migrationId: text('migrationId'),
    executionId: text('executionId'),
    stateName: text('stateName'),
    retryCount: typeof payload.retryCount === 'number' ? payload.retryCount : 0,
  };
}

// How Lambda hands an event to a function and reports what came back: a handler run in-process
// sees what it would see in AWS, and the state machine sees what Lambda would give Step Functions.

import { randomBytes, randomUUID } from 'node:crypto';
import { types } from 'node:util';
import type { Context } from 'aws-lambda';

/**
 * A task's handler as Lambda calls it. `never` for the event because each handler declares its
 * own event type and the runner only forwards JSON; any handler signature is assignable.
 */
export type TaskHandler = (event: never, context: Context) => unknown;

/** What Lambda reports for an unhandled error (the Node.js runtime's error response). */
export interface FunctionErrorReport {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/**
 * A function's unhandled error as Step Functions receives it: `name` is Lambda's errorType, which
 * is what Retry and Catch match, and `message` is the Cause, the JSON of Lambda's error response.
 * No `cause` property: aws-local-stepfunctions would log it instead of the message.
 */
export class LambdaFunctionError extends Error {
  constructor(report: FunctionErrorReport) {
    super(JSON.stringify(report));
    this.name = report.errorType;
  }
}

/** Lambda's error response for a thrown value, as the Node.js runtime builds it. */
export function functionErrorReport(thrown: unknown): FunctionErrorReport {
  // isNativeError as well as instanceof: errors from another realm (Node internals under jest)
  // fail instanceof but are still errors to the runtime.
  if (types.isNativeError(thrown) || thrown instanceof Error) {
    return { errorType: thrown.name, errorMessage: thrown.message, trace: thrown.stack?.split('\n') ?? [] };
  }
  return { errorType: typeof thrown, errorMessage: String(thrown), trace: [] };
}

export interface InvocationTarget {
  /** The ARN the state machine invoked (Resource, or the lambda:invoke FunctionName resolved). */
  invokedFunctionArn: string;
  memoryLimitInMB: number;
  /** Epoch milliseconds at which the task times out. */
  deadline: number;
}

/** The context object Lambda passes as the handler's second argument. */
export function createLambdaContext(target: InvocationTarget): Context {
  const functionName = functionNameOf(target.invokedFunctionArn);
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const callbackStyle = (): never => {
    throw new Error(
      'context.done/succeed/fail are not supported by the local runner: return or throw from an async handler',
    );
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: target.invokedFunctionArn,
    memoryLimitInMB: String(target.memoryLimitInMB),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, target.deadline - Date.now()),
    done: callbackStyle,
    fail: callbackStyle,
    succeed: callbackStyle,
  };
}

/**
 * Invokes a handler as Lambda does: the event and the result cross a JSON boundary (no shared
 * references, `undefined` becomes null), and anything thrown becomes a LambdaFunctionError.
 */
export async function invokeFunction(
  handler: TaskHandler,
  event: unknown,
  context: Context,
): Promise<unknown> {
  try {
    const result = await handler(throughJson(event) as never, context);
    return throughJson(result);
  } catch (thrown) {
    throw new LambdaFunctionError(functionErrorReport(thrown));
  }
}

/** The result of the `arn:aws:states:::lambda:invoke` integration: Lambda's Invoke response. */
export function invokeResponse(payload: unknown, context: Context): Record<string, unknown> {
  return {
    ExecutedVersion: context.functionVersion,
    Payload: payload,
    SdkHttpMetadata: { HttpStatusCode: 200 },
    SdkResponseMetadata: { RequestId: context.awsRequestId },
    StatusCode: 200,
  };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` -> name. */
export function functionNameOf(functionArn: string): string {
  return functionArn.split(':')[6] ?? functionArn;
}

function throughJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

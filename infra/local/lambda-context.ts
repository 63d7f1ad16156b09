import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

/** The function a context is for; by default SearchFunction as the template sizes it. */
export interface ContextFunction {
  functionName: string;
  memoryMb: number;
}

export const SEARCH_FUNCTION: ContextFunction = { functionName: "SearchFunction", memoryMb: 512 };

/**
 * The Lambda `Context` of one local invocation, whose deadline is `remainingMs` from now by `now`
 * (real time by default; tests pass a fake clock's). Used by `npm start`, `npm run invoke`, the
 * bench and the tests alike.
 */
export function lambdaContext(
  remainingMs = 29_000,
  now: () => number = Date.now,
  fn: ContextFunction = SEARCH_FUNCTION,
): Context {
  const deadline = now() + remainingMs;
  const { functionName } = fn;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().slice(0, 8)}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

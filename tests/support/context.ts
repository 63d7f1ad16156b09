import type { Context } from "aws-lambda";

/** A Lambda context whose deadline is `remainingMs` from now (by `now`, real time by default). */
export function lambdaContext(remainingMs = 29_000, now: () => number = Date.now): Context {
  const deadline = now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "SearchFunction",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:SearchFunction",
    memoryLimitInMB: "512",
    awsRequestId: `req-${Math.random().toString(16).slice(2, 10)}`,
    logGroupName: "/aws/lambda/SearchFunction",
    logStreamName: "2026/11/26/[$LATEST]test",
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

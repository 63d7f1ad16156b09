import type { Context } from "aws-lambda";
import { beginInvocation, endInvocation } from "../observability/logger.ts";
import { flushMetrics } from "../observability/metrics.ts";

/**
 * Wraps a handler (middy-style) in what every invocation needs around it: the Lambda request id
 * on every log line, and this invocation's metrics written and its log keys cleared at the end,
 * whatever the handler did.
 */
export function withInvocation<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
): (event: Event, context: Context) => Promise<Result> {
  return async (event, context) => {
    beginInvocation(context);
    try {
      return await handler(event, context);
    } finally {
      flushMetrics();
      endInvocation();
    }
  };
}

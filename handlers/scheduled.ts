import type { Context } from "aws-lambda";
import { containerCollector } from "../lib/app/collector.ts";
import { type CollectionSummary, collect } from "../lib/batch/collect.ts";
import { parseScheduledEvent } from "../lib/batch/scheduled-event.ts";
import { Deadline } from "../lib/deadline.ts";
import { CollectionFailedError } from "../lib/errors.ts";
import { beginInvocation, endInvocation, logger } from "../lib/observability/logger.ts";
import { flushMetrics } from "../lib/observability/metrics.ts";

/** EventBridge schedule: runs the configured batch of searches and stores the pages in S3. */
export async function handler(event: unknown, context: Context): Promise<CollectionSummary> {
  beginInvocation(context);
  try {
    const deps = containerCollector();
    const { clock, config } = deps.spotify;
    const run = parseScheduledEvent(event, new Date(clock.now()));
    const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), clock, {
      marginMs: config.retry.deadlineMarginMs,
    });
    const summary = await collect(run, deadline, deps);
    logger.info("Collection finished", { summary });
    return summary;
  } catch (error) {
    const summary = error instanceof CollectionFailedError ? error.summary : undefined;
    logger.error("Collection failed", { error: (error as Error).message, summary });
    throw error;
  } finally {
    flushMetrics();
    endInvocation();
  }
}

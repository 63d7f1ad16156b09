import type { Context } from "aws-lambda";
import { type Collector, containerCollector } from "../lib/app/collector.ts";
import { withInvocation } from "../lib/app/with-invocation.ts";
import { collect } from "../lib/batch/collect.ts";
import { CollectionFailedError, type CollectionSummary } from "../lib/batch/collection-summary.ts";
import { parseScheduledEvent } from "../lib/batch/scheduled-event.ts";
import { Deadline } from "../lib/deadline.ts";
import { logger } from "../lib/observability/logger.ts";
import type { Log } from "../lib/observability/types.ts";

/** EventBridge schedule: runs the configured batch of searches and stores the pages in S3. */
export function createScheduledHandler(collector: () => Collector) {
  return withInvocation(async (event: unknown, context: Context): Promise<CollectionSummary> => {
    let log: Log = logger;
    try {
      const deps = collector();
      log = deps.log;
      const run = parseScheduledEvent(event, new Date(deps.clock.now()));
      const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), deps.clock, {
        marginMs: deps.retry.deadlineMarginMs,
      });
      const summary = await collect(run, deadline, deps);
      log.info("Collection finished", { summary });
      return summary;
    } catch (error) {
      const summary = error instanceof CollectionFailedError ? error.summary : undefined;
      log.error("Collection failed", { error: (error as Error).message, summary });
      throw error;
    }
  });
}

export const handler = createScheduledHandler(containerCollector);

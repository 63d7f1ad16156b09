import type { Context } from "aws-lambda";
import { s3Client } from "../lib/aws/s3-client.ts";
import { ssmClient } from "../lib/aws/ssm-client.ts";
import { CollectionFailedError, type CollectionSummary, collect } from "../lib/batch/collect.ts";
import { parseScheduledEvent } from "../lib/batch/event.ts";
import { ParameterCache } from "../lib/batch/source.ts";
import { ResultsStore } from "../lib/batch/store.ts";
import { loadScheduledConfig } from "../lib/config.ts";
import { Deadline } from "../lib/deadline.ts";
import { beginInvocation, endInvocation, logger } from "../lib/observability/logger.ts";
import { emfMetrics, flushMetrics } from "../lib/observability/metrics.ts";
import { containerRuntime } from "../lib/spotify/container.ts";

let parameters: ParameterCache | undefined;

/** EventBridge schedule: runs the configured batch of searches and stores the pages in S3. */
export async function handler(event: unknown, context: Context): Promise<CollectionSummary> {
  beginInvocation(context);
  try {
    const config = loadScheduledConfig();
    const spotify = containerRuntime({ maxRetryAfterMs: config.maxRetryAfterMs });
    parameters ??= new ParameterCache(ssmClient(), spotify.clock, config.queriesCacheTtlMs);
    const run = parseScheduledEvent(event, new Date(spotify.clock.now()));
    const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), spotify.clock, {
      marginMs: spotify.config.retry.deadlineMarginMs,
    });
    const store = config.resultsBucket
      ? new ResultsStore(s3Client(), config.resultsBucket, config.resultsPrefix)
      : undefined;
    const summary = await collect(run, deadline, {
      spotify,
      config,
      parameters,
      store,
      log: logger,
      metrics: emfMetrics,
    });
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

import { ParameterCache } from "../aws/parameter-cache.ts";
import { ResultsStore } from "../aws/results-store.ts";
import { s3Client } from "../aws/s3-client.ts";
import { ssmClient } from "../aws/ssm-client.ts";
import type { CollectDeps } from "../batch/collect.ts";
import { loadScheduledConfig } from "../config.ts";
import { logger } from "../observability/logger.ts";
import { emfMetrics } from "../observability/metrics.ts";
import { containerRuntime } from "./runtime.ts";

let parameters: ParameterCache | undefined;
let store: ResultsStore | undefined;

/**
 * The scheduled collection's dependencies for this container: the shared Spotify runtime (which
 * may wait out longer `Retry-After`s than an API caller), the cached batch definition and the
 * results store. Built on first use; a configuration error is reported again on every invocation.
 */
export function containerCollector(): CollectDeps {
  const config = loadScheduledConfig();
  const spotify = containerRuntime({ maxRetryAfterMs: config.maxRetryAfterMs });
  parameters ??= new ParameterCache(ssmClient(), spotify.clock, config.queriesCacheTtlMs);
  // Kept across warm invocations: it remembers how long storing took, to size the reserve.
  if (config.resultsBucket) {
    store ??= new ResultsStore(
      s3Client(),
      config.resultsBucket,
      config.resultsPrefix,
      spotify.clock,
    );
  }
  return {
    spotify,
    config,
    parameters,
    store: config.resultsBucket ? store : undefined,
    log: logger,
    metrics: emfMetrics,
  };
}

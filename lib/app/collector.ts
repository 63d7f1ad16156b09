import type { S3Client } from "@aws-sdk/client-s3";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { ParameterCache } from "../aws/parameter-cache.ts";
import { ResultsStore } from "../aws/results-store.ts";
import { s3Client } from "../aws/s3-client.ts";
import { ssmClient } from "../aws/ssm-client.ts";
import type { CollectDeps } from "../batch/collect.ts";
import {
  type FleetConfig,
  loadFleetConfig,
  loadScheduledConfig,
  loadSpotifyConfig,
  type RetrySettings,
  type ScheduledConfig,
  type SpotifyConfig,
} from "../config.ts";
import { cooldownStoreOn } from "./shared-table.ts";
import { createSpotifyParts, type RuntimeDeps, resolveDeps } from "./spotify-parts.ts";

/** Everything the scheduled function reads from its environment. */
export interface CollectorConfig {
  spotify: SpotifyConfig;
  scheduled: ScheduledConfig;
  fleet: FleetConfig;
}

export function loadCollectorConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): CollectorConfig {
  return {
    spotify: loadSpotifyConfig(env),
    scheduled: loadScheduledConfig(env),
    fleet: loadFleetConfig(env),
  };
}

export interface CollectorDeps extends RuntimeDeps {
  ssm?: SSMClient;
  s3?: S3Client;
}

/** Everything a scheduled container keeps between invocations. */
export interface Collector extends CollectDeps {
  retry: RetrySettings;
}

/**
 * The scheduled function's composition root: the one place its parts are wired. The batch asks
 * Spotify directly (it collects fresh data: no response cache), may wait out longer
 * `Retry-After`s than an API caller, and shares the fleet's rate-limit record when the table is
 * configured, so it neither sends into a window the API was told of nor hides one it was told of.
 */
export function createCollector(config: CollectorConfig, deps: CollectorDeps = {}): Collector {
  const { scheduled } = config;
  const retry = { ...config.spotify.retry, maxRetryAfterMs: scheduled.maxRetryAfterMs };
  const resolved = resolveDeps(deps);
  const { clock, log, metrics } = resolved;
  const cooldowns = scheduled.cooldownTableName
    ? cooldownStoreOn(scheduled.cooldownTableName, config.fleet, {
        dynamoDb: resolved.dynamoDb(),
        clock,
        log,
        metrics,
      })
    : undefined;
  const { client } = createSpotifyParts({ ...config.spotify, retry }, deps, cooldowns);
  return {
    client,
    clock,
    maxLimit: config.spotify.maxLimit,
    retry,
    config: scheduled,
    parameters: new ParameterCache(deps.ssm ?? ssmClient(), clock, scheduled.queriesCacheTtlMs),
    // Kept across warm invocations: it remembers how long storing took, to size the reserve.
    store: scheduled.resultsBucket
      ? new ResultsStore(
          deps.s3 ?? s3Client(),
          scheduled.resultsBucket,
          scheduled.resultsPrefix,
          clock,
        )
      : undefined,
    log,
    metrics,
  };
}

let containerScope: Collector | undefined;

/** The container's collector, built on first use; a configuration error is reported again next time. */
export function containerCollector(): Collector {
  containerScope ??= createCollector(loadCollectorConfig());
  return containerScope;
}

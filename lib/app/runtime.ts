import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CacheTable } from "../aws/cache-table.ts";
import { dynamoDbClient } from "../aws/dynamodb-client.ts";
import { secretReader } from "../aws/secret-reader.ts";
import { secretsManagerClient } from "../aws/secrets-manager-client.ts";
import { MemoryTier } from "../cache/memory-tier.ts";
import { SearchCache } from "../cache/search-cache.ts";
import { SharedTier } from "../cache/shared-tier.ts";
import { type Clock, systemClock } from "../clock.ts";
import {
  type CacheConfig,
  loadCacheConfig,
  loadSpotifyConfig,
  type RetrySettings,
  type SpotifyConfig,
} from "../config.ts";
import { logger } from "../observability/logger.ts";
import { emfMetrics } from "../observability/metrics.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { Cooldown } from "../spotify/cooldown.ts";
import { CredentialsProvider } from "../spotify/credentials-provider.ts";
import { FleetCooldown } from "../spotify/fleet-cooldown.ts";
import { httpTransport, type Transport } from "../spotify/http-transport.ts";
import { SpotifyCaller } from "../spotify/spotify-caller.ts";
import { SpotifyClient } from "../spotify/spotify-client.ts";
import { TokenProvider } from "../spotify/token-provider.ts";

/** Everything a container keeps between invocations to talk to Spotify. */
export interface SpotifyRuntime {
  config: SpotifyConfig;
  cacheConfig: CacheConfig;
  clock: Clock;
  client: SpotifyClient;
  /** Searches through the response cache (the API's path; the batch asks Spotify directly). */
  searches: SearchCache;
  tokens: TokenProvider;
  credentials: CredentialsProvider;
  cooldown: Cooldown;
}

/** What a test (or another host) may replace; everything else is the container's own. */
export interface RuntimeDeps {
  secretsManager?: SecretsManagerClient;
  dynamoDb?: DynamoDBClient;
  log?: Log;
  metrics?: MetricsSink;
  transport?: Transport;
  clock?: Clock;
  random?: () => number;
}

/** The composition root: the one place that wires config, AWS clients and Spotify together. */
export function createSpotifyRuntime(
  config: SpotifyConfig,
  deps: RuntimeDeps = {},
  cacheConfig: CacheConfig = loadCacheConfig({}),
): SpotifyRuntime {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? logger;
  const metrics = deps.metrics ?? emfMetrics;
  const cooldown = new Cooldown();
  const shared = cacheConfig.tableName
    ? new SharedTier({
        table: new CacheTable(deps.dynamoDb ?? dynamoDbClient(), cacheConfig.tableName),
        clock,
        readTimeoutMs: cacheConfig.readTimeoutMs,
        writeTimeoutMs: cacheConfig.writeTimeoutMs,
        failureBackoffMs: cacheConfig.failureBackoffMs,
        log,
        metrics,
      })
    : undefined;
  const fleet = shared
    ? new FleetCooldown({ shared, cooldown, clock, settings: config.retry })
    : undefined;
  const caller = new SpotifyCaller({
    transport: deps.transport ?? httpTransport(),
    clock,
    random: deps.random ?? Math.random,
    settings: config.retry,
    cooldown,
    fleet,
    log,
    metrics,
  });
  const credentials = new CredentialsProvider({
    read: secretReader(deps.secretsManager ?? secretsManagerClient()),
    secretId: config.secretId,
    ttlMs: config.secretCacheTtlMs,
    clock,
    log,
    metrics,
  });
  const tokens = new TokenProvider({
    caller,
    credentials,
    accountsUrl: config.accountsUrl,
    clock,
    expiryMarginMs: config.tokenExpiryMarginMs,
    log,
    metrics,
  });
  const client = new SpotifyClient({ caller, tokens, apiUrl: config.apiUrl });
  const searches = new SearchCache({
    search: (params, deadline) => client.search(params, deadline),
    config: cacheConfig,
    apiUrl: config.apiUrl,
    clock,
    memory: new MemoryTier(cacheConfig.memoryMaxBytes, clock),
    shared,
    fleet,
    cooldownRemainingMs: (now) => cooldown.remainingMs(now),
    log,
    metrics,
  });
  return { config, cacheConfig, clock, client, searches, tokens, credentials, cooldown };
}

let containerScope: SpotifyRuntime | undefined;

/**
 * The container's Spotify runtime, built on first use and kept in module scope so warm
 * invocations reuse the secret, the token and the cooldown. A configuration error is not cached:
 * the next invocation reports it again. `retry` adjusts the rules for a function (the batch may
 * wait longer than an API caller); a container only ever runs one function.
 */
export function containerRuntime(retry: Partial<RetrySettings> = {}): SpotifyRuntime {
  if (containerScope) return containerScope;
  const config = loadSpotifyConfig();
  containerScope = createSpotifyRuntime(
    { ...config, retry: { ...config.retry, ...retry } },
    {},
    loadCacheConfig(),
  );
  return containerScope;
}

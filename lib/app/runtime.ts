import { MemoryTier } from "../cache/memory-tier.ts";
import { SearchCache } from "../cache/search-cache.ts";
import type { Clock } from "../clock.ts";
import {
  type ApiConfig,
  type CacheConfig,
  type FleetConfig,
  loadApiConfig,
  loadCacheConfig,
  loadFleetConfig,
  loadSpotifyConfig,
  type SpotifyConfig,
} from "../config.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import type { Cooldown } from "../spotify/cooldown.ts";
import type { CredentialsProvider } from "../spotify/credentials-provider.ts";
import type { SpotifyClient } from "../spotify/spotify-client.ts";
import type { TokenProvider } from "../spotify/token-provider.ts";
import { searchStoresOn } from "./shared-table.ts";
import { createSpotifyParts, type RuntimeDeps, resolveDeps } from "./spotify-parts.ts";

/** Everything a search container keeps between invocations. */
export interface SpotifyRuntime {
  config: SpotifyConfig;
  cacheConfig: CacheConfig;
  apiConfig: ApiConfig;
  clock: Clock;
  client: SpotifyClient;
  /** Searches through the response cache. */
  searches: SearchCache;
  tokens: TokenProvider;
  credentials: CredentialsProvider;
  cooldown: Cooldown;
  log: Log;
  metrics: MetricsSink;
}

/** Everything the search function reads from its environment. */
export interface SearchFunctionConfig {
  spotify: SpotifyConfig;
  cache: CacheConfig;
  api: ApiConfig;
  fleet: FleetConfig;
}

export function loadSearchFunctionConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): SearchFunctionConfig {
  return {
    spotify: loadSpotifyConfig(env),
    cache: loadCacheConfig(env),
    api: loadApiConfig(env),
    fleet: loadFleetConfig(env),
  };
}

/** The search function's composition root: the one place its parts are wired. */
export function createSpotifyRuntime(
  functionConfig: SearchFunctionConfig,
  deps: RuntimeDeps = {},
): SpotifyRuntime {
  const {
    spotify: config,
    cache: cacheConfig,
    api: apiConfig,
    fleet: fleetConfig,
  } = functionConfig;
  const resolved = resolveDeps(deps);
  const { clock, log, metrics } = resolved;
  // No table, no DynamoDB client: a tier-1-only container pays nothing for it.
  const { tableName } = cacheConfig;
  const stores = tableName
    ? searchStoresOn(tableName, cacheConfig, fleetConfig, {
        dynamoDb: resolved.dynamoDb(),
        clock,
        log,
        metrics,
      })
    : undefined;
  const spotify = createSpotifyParts(config, deps, stores?.cooldowns);
  const { client, cooldown, fleet } = spotify;
  const searches = new SearchCache({
    search: (params, deadline, options) => client.search(params, deadline, options),
    config: cacheConfig,
    apiUrl: config.apiUrl,
    clock,
    memory: new MemoryTier(cacheConfig.memoryMaxBytes, clock),
    store: stores?.entries,
    cooldownRemainingMs: (now) => (fleet ? fleet.remainingMs(now) : cooldown.remainingMs(now)),
    log,
    metrics,
  });
  return { ...spotify, config, cacheConfig, apiConfig, clock, searches, log, metrics };
}

let containerScope: SpotifyRuntime | undefined;

/**
 * The container's runtime, built on first use and kept in module scope so warm invocations reuse
 * the secret, the token, the cache and the cooldown. A configuration error is not kept: the next
 * invocation reports it again.
 */
export function containerRuntime(): SpotifyRuntime {
  containerScope ??= createSpotifyRuntime(loadSearchFunctionConfig());
  return containerScope;
}

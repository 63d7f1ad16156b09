import { type Clock, systemClock } from "../clock.ts";
import type { SpotifyConfig } from "../config.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { UpstreamCaller } from "../upstream/caller.ts";
import { Cooldown } from "../upstream/cooldown.ts";
import { SpotifyClient } from "./client.ts";
import { CredentialsProvider, type SecretReader } from "./credentials.ts";
import { TokenProvider } from "./token.ts";

/** Everything a container keeps between invocations to talk to Spotify. */
export interface SpotifyRuntime {
  config: SpotifyConfig;
  clock: Clock;
  client: SpotifyClient;
  tokens: TokenProvider;
  credentials: CredentialsProvider;
  cooldown: Cooldown;
}

export interface SpotifyRuntimeDeps {
  readSecret: SecretReader;
  log: Log;
  metrics: MetricsSink;
  fetch?: typeof fetch;
  clock?: Clock;
  random?: () => number;
}

export function createSpotifyRuntime(
  config: SpotifyConfig,
  deps: SpotifyRuntimeDeps,
): SpotifyRuntime {
  const clock = deps.clock ?? systemClock;
  const { log, metrics } = deps;
  const cooldown = new Cooldown();
  const caller = new UpstreamCaller({
    fetch: deps.fetch ?? globalThis.fetch,
    clock,
    random: deps.random ?? Math.random,
    settings: config.retry,
    cooldown,
    log,
    metrics,
  });
  const credentials = new CredentialsProvider({
    read: deps.readSecret,
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
  return { config, clock, client, tokens, credentials, cooldown };
}

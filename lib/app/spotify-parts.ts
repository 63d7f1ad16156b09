import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { dynamoDbClient } from "../aws/dynamodb-client.ts";
import { secretReader } from "../aws/secret-reader.ts";
import { secretsManagerClient } from "../aws/secrets-manager-client.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { SpotifyConfig } from "../config.ts";
import { logger } from "../observability/logger.ts";
import { emfMetrics } from "../observability/metrics.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { Cooldown } from "../spotify/cooldown.ts";
import type { CooldownStore } from "../spotify/cooldown-store.ts";
import { CredentialsProvider } from "../spotify/credentials-provider.ts";
import { FleetCooldown } from "../spotify/fleet-cooldown.ts";
import { httpTransport, type Transport } from "../spotify/http-transport.ts";
import { SpotifyCaller } from "../spotify/spotify-caller.ts";
import { SpotifyClient } from "../spotify/spotify-client.ts";
import { TokenProvider } from "../spotify/token-provider.ts";

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

/** The dependencies with the container's own filled in. */
export interface ResolvedDeps {
  secretsManager: () => SecretsManagerClient;
  dynamoDb: () => DynamoDBClient;
  log: Log;
  metrics: MetricsSink;
  clock: Clock;
}

/** The Spotify side both functions share: one token, one cooldown, one policy per container. */
export interface SpotifyParts {
  client: SpotifyClient;
  tokens: TokenProvider;
  credentials: CredentialsProvider;
  cooldown: Cooldown;
  fleet: FleetCooldown | undefined;
}

export function resolveDeps(deps: RuntimeDeps): ResolvedDeps {
  return {
    secretsManager: () => deps.secretsManager ?? secretsManagerClient(),
    dynamoDb: () => deps.dynamoDb ?? dynamoDbClient(),
    log: deps.log ?? logger,
    metrics: deps.metrics ?? emfMetrics,
    clock: deps.clock ?? systemClock,
  };
}

/** Wires the Spotify side; with a cooldown store, the container joins the fleet's one budget. */
export function createSpotifyParts(
  config: SpotifyConfig,
  deps: RuntimeDeps,
  cooldownStore: CooldownStore | undefined,
): SpotifyParts {
  const { clock, log, metrics, secretsManager } = resolveDeps(deps);
  const cooldown = new Cooldown();
  const fleet = cooldownStore
    ? new FleetCooldown({ store: cooldownStore, cooldown, clock, settings: config.retry })
    : undefined;
  const caller = new SpotifyCaller({
    transport: deps.transport ?? httpTransport({ maxBodyBytes: config.maxBodyBytes }),
    clock,
    random: deps.random ?? Math.random,
    settings: config.retry,
    cooldown,
    fleet,
    log,
    metrics,
  });
  const credentials = new CredentialsProvider({
    read: secretReader(secretsManager()),
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
  return { client, tokens, credentials, cooldown, fleet };
}

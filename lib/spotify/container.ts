import { secretReader } from "../aws/secrets.ts";
import { secretsManagerClient } from "../aws/secrets-manager-client.ts";
import { loadSpotifyConfig } from "../config.ts";
import { logger } from "../observability/logger.ts";
import { emfMetrics } from "../observability/metrics.ts";
import { createSpotifyRuntime, type SpotifyRuntime } from "./runtime.ts";

let runtime: SpotifyRuntime | undefined;

/**
 * The container's Spotify runtime, built on first use and kept in module scope so warm
 * invocations reuse the secret, the token and the cooldown. A configuration error is not cached:
 * the next invocation reports it again.
 */
export function containerRuntime(): SpotifyRuntime {
  runtime ??= createSpotifyRuntime(loadSpotifyConfig(), {
    readSecret: secretReader(secretsManagerClient()),
    log: logger,
    metrics: emfMetrics,
  });
  return runtime;
}

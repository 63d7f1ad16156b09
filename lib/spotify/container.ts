import { secretReader } from "../aws/secrets.ts";
import { secretsManagerClient } from "../aws/secrets-manager-client.ts";
import { loadSpotifyConfig, type RetrySettings } from "../config.ts";
import { logger } from "../observability/logger.ts";
import { emfMetrics } from "../observability/metrics.ts";
import { createSpotifyRuntime, type SpotifyRuntime } from "./runtime.ts";

let runtime: SpotifyRuntime | undefined;

/**
 * The container's Spotify runtime, built on first use and kept in module scope so warm
 * invocations reuse the secret, the token and the cooldown. A configuration error is not cached:
 * the next invocation reports it again. `retry` adjusts the rules for a function (the batch may
 * wait longer than an API caller); a container only ever runs one function.
 */
export function containerRuntime(retry: Partial<RetrySettings> = {}): SpotifyRuntime {
  if (runtime) return runtime;
  const config = loadSpotifyConfig();
  runtime = createSpotifyRuntime(
    { ...config, retry: { ...config.retry, ...retry } },
    {
      readSecret: secretReader(secretsManagerClient()),
      log: logger,
      metrics: emfMetrics,
    },
  );
  return runtime;
}

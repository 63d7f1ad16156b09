import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createSearchHandler } from "../../handlers/search.ts";
import { secretReader } from "../../lib/aws/secrets.ts";
import type { Clock } from "../../lib/clock.ts";
import { loadSpotifyConfig } from "../../lib/config.ts";
import { logger } from "../../lib/observability/logger.ts";
import { emfMetrics } from "../../lib/observability/metrics.ts";
import { createSpotifyRuntime } from "../../lib/spotify/runtime.ts";
import type { TestStack } from "./stack.ts";

/**
 * A search handler over a runtime built with an injected clock (and random), wired to the stack's
 * emulator and moto exactly as the container wires the real one.
 */
export function handlerWithClock(
  stack: TestStack,
  clock: Clock,
  random: () => number = Math.random,
) {
  const secrets = new SecretsManagerClient({ endpoint: stack.aws.endpoint, region: "us-east-1" });
  const runtime = createSpotifyRuntime(loadSpotifyConfig(stack.env), {
    readSecret: secretReader(secrets),
    log: logger,
    metrics: emfMetrics,
    clock,
    random,
  });
  return { handler: createSearchHandler(() => runtime), runtime };
}

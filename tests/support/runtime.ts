import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createSearchHandler } from "../../handlers/search.ts";
import { createSpotifyRuntime } from "../../lib/app/runtime.ts";
import type { Clock } from "../../lib/clock.ts";
import { loadCacheConfig, loadSpotifyConfig } from "../../lib/config.ts";
import type { TestStack } from "./stack.ts";

/**
 * A search handler over the composition root's runtime, with an injected clock (and random) and
 * the stack's moto endpoint.
 */
export function handlerWithClock(
  stack: TestStack,
  clock: Clock,
  random: () => number = Math.random,
) {
  const secrets = new SecretsManagerClient({ endpoint: stack.aws.endpoint, region: "us-east-1" });
  const runtime = createSpotifyRuntime(
    loadSpotifyConfig(stack.env),
    { secretsManager: secrets, clock, random },
    loadCacheConfig(stack.env),
  );
  return { handler: createSearchHandler(() => runtime), runtime };
}

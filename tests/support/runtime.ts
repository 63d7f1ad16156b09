import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createSearchHandler } from "../../handlers/search.ts";
import { createSpotifyRuntime, loadSearchFunctionConfig } from "../../lib/app/runtime.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Log, MetricsSink } from "../../lib/observability/types.ts";
import type { TestStack } from "./stack.ts";

/**
 * A search handler over the composition root's runtime, with an injected clock (and random) and
 * the stack's moto endpoint.
 */
export function handlerWithClock(
  stack: TestStack,
  clock: Clock,
  random: () => number = Math.random,
  observability: { log?: Log; metrics?: MetricsSink } = {},
) {
  const aws = { endpoint: stack.aws.endpoint, region: "us-east-1" };
  const secrets = new SecretsManagerClient(aws);
  const dynamoDb = new DynamoDBClient({ ...aws, maxAttempts: 1 });
  const runtime = createSpotifyRuntime(loadSearchFunctionConfig(stack.env), {
    secretsManager: secrets,
    dynamoDb,
    clock,
    random,
    ...observability,
  });
  const { log, metrics } = runtime;
  return { handler: createSearchHandler(() => runtime, { log, metrics }), runtime };
}

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { type Collector, createCollector, loadCollectorConfig } from "../../lib/app/collector.ts";
import type { Clock } from "../../lib/clock.ts";
import { noMetrics, silentLog } from "../../lib/observability/types.ts";
import type { TestStack } from "./stack.ts";

/**
 * The scheduled function's collector, built by its composition root over the stack (moto through
 * the counting proxy, the emulator) with an injected clock; `env` adds to the stack's environment.
 */
export function collectorWithClock(
  stack: TestStack,
  clock: Clock,
  env: Record<string, string> = {},
): Collector {
  const settings = { SCHEDULED_QUERIES_PARAMETER: "/unused", ...stack.env, ...env };
  const aws = { endpoint: stack.aws.endpoint, region: "us-east-1" };
  return createCollector(loadCollectorConfig(settings), {
    secretsManager: new SecretsManagerClient(aws),
    ssm: new SSMClient(aws),
    s3: new S3Client({ ...aws, forcePathStyle: true }),
    dynamoDb: new DynamoDBClient({ ...aws, maxAttempts: 1 }),
    clock,
    log: silentLog,
    metrics: noMetrics,
  });
}

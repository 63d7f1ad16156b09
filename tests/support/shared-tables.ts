import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, inject } from "vitest";
import { createCacheTable } from "../../infra/local/cache-table.ts";

/** moto answers slower than DynamoDB, more so with several containers at once. */
export const MOTO_TABLE_TIMEOUTS = {
  CACHE_READ_TIMEOUT_MS: "5000",
  CACHE_WRITE_TIMEOUT_MS: "5000",
  COOLDOWN_READ_TIMEOUT_MS: "5000",
  COOLDOWN_WRITE_TIMEOUT_MS: "5000",
} as const;

/**
 * The suite's moto DynamoDB for this test file (its client closed after the file), and a fresh
 * shared table (cache entries and the fleet's record) for each test that asks.
 */
export function motoTables(prefix: string) {
  const dynamo = new DynamoDBClient({ endpoint: inject("motoEndpoint"), region: "us-east-1" });
  afterAll(() => dynamo.destroy());
  return {
    dynamo,
    async fresh(): Promise<string> {
      const name = `${prefix}-${randomUUID()}`;
      await createCacheTable(dynamo, name);
      return name;
    },
  };
}

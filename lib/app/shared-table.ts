import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CacheTable } from "../aws/cache-table.ts";
import { COOLDOWN_STORE_GUARD, DynamoCooldownStore } from "../aws/dynamo-cooldown-store.ts";
import { DynamoEntryStore } from "../aws/dynamo-entry-store.ts";
import { GuardedTable } from "../aws/guarded-table.ts";
import type { Clock } from "../clock.ts";
import type { CacheConfig, FleetConfig } from "../config.ts";
import type { Log, MetricsSink } from "../observability/types.ts";

export interface SharedTableDeps {
  dynamoDb: DynamoDBClient;
  clock: Clock;
  log: Log;
  metrics: MetricsSink;
}

/** The fleet's rate-limit record on the shared table, with its own timeouts, log name and metric. */
export function cooldownStoreOn(
  tableName: string,
  fleet: FleetConfig,
  deps: SharedTableDeps,
): DynamoCooldownStore {
  const table = new CacheTable(deps.dynamoDb, tableName);
  const guarded = new GuardedTable({ ...deps, table }, { ...COOLDOWN_STORE_GUARD, ...fleet });
  return new DynamoCooldownStore(guarded, deps.clock);
}

/** The search function's two stores on one table: the fleet's record, and tier 2 beside it. */
export function searchStoresOn(
  tableName: string,
  cache: CacheConfig,
  fleet: FleetConfig,
  deps: SharedTableDeps,
): { cooldowns: DynamoCooldownStore; entries: DynamoEntryStore } {
  const cooldowns = cooldownStoreOn(tableName, fleet, deps);
  return { cooldowns, entries: entryStoreOn(tableName, cache, cooldowns, deps) };
}

/** Tier 2 on the table; each of its reads brings the fleet's record along. */
function entryStoreOn(
  tableName: string,
  cache: CacheConfig,
  cooldowns: DynamoCooldownStore,
  deps: SharedTableDeps,
): DynamoEntryStore {
  const table = new CacheTable(deps.dynamoDb, tableName);
  const guarded = new GuardedTable(
    { ...deps, table },
    {
      name: "Shared cache",
      errorMetric: "CacheSharedErrors",
      readTimeoutMs: cache.readTimeoutMs,
      writeTimeoutMs: cache.writeTimeoutMs,
      failureBackoffMs: cache.failureBackoffMs,
    },
  );
  return new DynamoEntryStore({
    table: guarded,
    clock: deps.clock,
    compression: cache.compression,
    cooldowns,
    log: deps.log,
    metrics: deps.metrics,
  });
}

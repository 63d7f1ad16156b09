import type { CacheEntry } from "../cache/cache-entry.ts";
import type { EntryStore, StoredLookup } from "../cache/entry-store.ts";
import type { Clock } from "../clock.ts";
import type { Compression } from "../config.ts";
import type { Deadline } from "../deadline.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import type { DynamoCooldownStore } from "./dynamo-cooldown-store.ts";
import { decodeEntry, encodeEntry, encodeMissMarker, isMissMarker } from "./entry-item.ts";
import type { GuardedTable } from "./guarded-table.ts";

export interface DynamoEntryStoreDeps {
  table: GuardedTable;
  clock: Clock;
  compression: Compression;
  /** Takes the fleet's record, read in the same round trip as each entry. */
  cooldowns: DynamoCooldownStore | undefined;
  log: Log;
  metrics: MetricsSink;
}

/** Tier 2 on the shared table: one item per question, its body compressed. */
export class DynamoEntryStore implements EntryStore {
  constructor(private readonly deps: DynamoEntryStoreDeps) {}

  async read(key: string, deadline: Deadline): Promise<StoredLookup | undefined> {
    const { table, cooldowns, clock } = this.deps;
    // The fleet's record rides along: a miss still costs one round trip.
    const items = await table.read(cooldowns ? [key, cooldowns.key] : [key], deadline);
    if (!items) return undefined;
    const now = clock.now();
    cooldowns?.remember(items.get(cooldowns.key), now);
    const item = items.get(key);
    return { entry: decodeEntry(item), missedBefore: isMissMarker(item, now) };
  }

  async write(key: string, entry: CacheEntry, deadline: Deadline): Promise<boolean> {
    const item = encodeEntry(key, entry, this.deps.compression);
    const written = await this.deps.table.put(item, deadline, "write");
    if (written === false) {
      this.deps.metrics.count("CacheOversizeEntries");
      this.deps.log.warn("Answer too large for the shared cache: kept in this container only");
    }
    return written === true;
  }

  async markMiss(key: string, until: number, deadline: Deadline): Promise<void> {
    await this.deps.table.put(encodeMissMarker(key, until), deadline, "mark miss");
  }
}

import type { TableItem } from "../../lib/aws/cache-table.ts";
import {
  announce,
  COOLDOWN_KEY,
  decodeCooldown,
  settle,
  takeLease,
} from "../../lib/aws/cooldown-item.ts";
import type { CacheEntry } from "../../lib/cache/cache-entry.ts";
import type { EntryStore, StoredLookup } from "../../lib/cache/entry-store.ts";
import type { Clock } from "../../lib/clock.ts";
import {
  type CooldownRecord,
  type CooldownStore,
  UNAVAILABLE,
} from "../../lib/spotify/cooldown-store.ts";
import { updateItem } from "./dynamo-expressions.ts";

/** The fleet's one record, shared by every container's store; `available` false: the table fails. */
export class MemoryCooldownTable {
  readonly items = new Map<string, TableItem>();
  available = true;

  /** The record as the table holds it now. */
  record(): CooldownRecord | undefined {
    return decodeCooldown(this.items.get(COOLDOWN_KEY));
  }
}

/**
 * A container's CooldownStore on a MemoryCooldownTable. Its writes are the very conditional
 * updates lib/aws/cooldown-item.ts builds, decided the way DynamoDB decides them.
 */
export class MemoryCooldownStore implements CooldownStore {
  /** Round trips of `read` (the ones `recent` saves). */
  reads = 0;
  private last: { record: CooldownRecord | undefined; readAt: number } | undefined;

  constructor(
    readonly table: MemoryCooldownTable,
    private readonly clock: Clock,
  ) {}

  /** The record another read (the cache's) brought along, as the DynamoDB store keeps it. */
  remember(): void {
    this.last = { record: this.table.record(), readAt: this.clock.now() };
  }

  recent(maxAgeMs: number): { record: CooldownRecord | undefined } | undefined {
    const last = this.last;
    return last && this.clock.now() - last.readAt <= maxAgeMs ? { record: last.record } : undefined;
  }

  async read(): Promise<CooldownRecord | undefined | typeof UNAVAILABLE> {
    if (!this.table.available) return UNAVAILABLE;
    this.reads++;
    this.remember();
    return this.last?.record;
  }

  async announce(until: number, reason: string | undefined): Promise<void> {
    this.apply(announce(until, reason));
    this.last = undefined;
  }

  async takeLease(window: number, owner: string, leaseUntil: number): Promise<boolean | undefined> {
    return this.apply(takeLease(window, owner, this.clock.now(), leaseUntil));
  }

  async settle(window: number): Promise<void> {
    this.apply(settle(window));
    this.last = undefined;
  }

  private apply(change: Parameters<typeof updateItem>[2]): boolean | undefined {
    if (!this.table.available) return undefined;
    const { applied, item } = updateItem(this.table.items.get(COOLDOWN_KEY), COOLDOWN_KEY, change);
    if (item) this.table.items.set(COOLDOWN_KEY, item);
    return applied;
  }
}

interface StoredItem {
  entry?: CacheEntry;
  missedUntil?: number;
}

/**
 * Tier 2 in a Map, shared by the containers given it. As on the table, an entry and a first-miss
 * marker are one item per key (each write replaces it); nothing expires by itself, so readers
 * check the times. `available` false: every call fails as the guarded table does (no throw).
 */
export class MemoryEntryStore implements EntryStore {
  readonly items = new Map<string, StoredItem>();
  available = true;
  reads = 0;
  writes = 0;
  markers = 0;

  constructor(private readonly clock: Clock) {}

  async read(key: string): Promise<StoredLookup | undefined> {
    if (!this.available) return undefined;
    this.reads++;
    const item = this.items.get(key);
    const missedUntil = item?.missedUntil;
    return {
      entry: item?.entry,
      missedBefore: missedUntil !== undefined && this.clock.now() < missedUntil,
    };
  }

  async write(key: string, entry: CacheEntry): Promise<boolean> {
    if (!this.available) return false;
    this.writes++;
    this.items.set(key, { entry });
    return true;
  }

  async markMiss(key: string, until: number): Promise<void> {
    if (!this.available) return;
    this.markers++;
    this.items.set(key, { missedUntil: until });
  }
}

import { awsErrorName } from "../aws/aws-errors.ts";
import {
  type CacheTable,
  type ConditionalUpdate,
  decodeEntry,
  encodeEntry,
  type TableItem,
} from "../aws/cache-table.ts";
import type { Clock } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import type { CacheEntry } from "./cache-entry.ts";

/**
 * The container's first call also loads the SDK's lazy parts and opens the connection (TLS in
 * AWS): it gets this much more time than a warm read, once.
 */
export const FIRST_CALL_ALLOWANCE_MS = 250;

export interface SharedTierDeps {
  table: CacheTable;
  clock: Clock;
  readTimeoutMs: number;
  writeTimeoutMs: number;
  /** After a failure, tier 2 is skipped this long instead of paying its timeout on every request. */
  failureBackoffMs: number;
  log: Log;
  metrics: MetricsSink;
}

/**
 * Tier 2, shared by the fleet, and never worse than no cache: every call has a short timeout of
 * its own inside the deadline, a failure is logged once and counted, and then the tier is skipped
 * for a while. Reads and writes never throw.
 */
export class SharedTier {
  private skipUntil = 0;
  private connected = false;

  constructor(private readonly deps: SharedTierDeps) {}

  /** Items by key, in one round trip; undefined when the table could not answer in time. */
  async readItems(
    keys: readonly string[],
    deadline: Deadline,
  ): Promise<Map<string, TableItem> | undefined> {
    if (this.skipping()) return undefined;
    const { signal, byDeadline } = this.signal(this.deps.readTimeoutMs, deadline);
    try {
      return await this.deps.table.read(keys, signal);
    } catch (error) {
      this.fail("read", error, byDeadline);
      return undefined;
    }
  }

  async read(key: string, deadline: Deadline): Promise<CacheEntry | undefined> {
    return decodeEntry((await this.readItems([key], deadline))?.get(key));
  }

  /** Stores an entry; true when it is in the table. Over DynamoDB's item limit it stays out. */
  async write(key: string, entry: CacheEntry, deadline: Deadline): Promise<boolean> {
    return this.put(encodeEntry(key, entry), deadline, "write");
  }

  /** Writes any item (the shared cooldown uses it too); false when it was not written. */
  async put(item: TableItem, deadline: Deadline, operation: string): Promise<boolean> {
    if (this.skipping()) return false;
    const { signal, byDeadline } = this.signal(this.deps.writeTimeoutMs, deadline);
    try {
      const written = await this.deps.table.write(item, signal);
      if (!written) {
        this.deps.metrics.count("CacheOversizeEntries");
        this.deps.log.warn("Answer too large for the shared cache: kept in this container only", {
          operation,
        });
      }
      return written;
    } catch (error) {
      this.fail(operation, error, byDeadline);
      return false;
    }
  }

  /**
   * A conditional update (the shared cooldown's records): true when applied, false when its
   * condition did not hold, undefined when the table could not answer in time.
   */
  async updateIf(
    pk: string,
    change: ConditionalUpdate,
    deadline: Deadline,
    operation: string,
  ): Promise<boolean | undefined> {
    if (this.skipping()) return undefined;
    const { signal, byDeadline } = this.signal(this.deps.writeTimeoutMs, deadline);
    try {
      return await this.deps.table.updateIf(pk, change, signal);
    } catch (error) {
      this.fail(operation, error, byDeadline);
      return undefined;
    }
  }

  private skipping(): boolean {
    return this.deps.clock.now() < this.skipUntil;
  }

  /** The call's timeout; `byDeadline` when the request's deadline, not the tier, cut it short. */
  private signal(
    timeoutMs: number,
    deadline: Deadline,
  ): { signal: AbortSignal; byDeadline: boolean } {
    const allowance = this.connected ? 0 : FIRST_CALL_ALLOWANCE_MS;
    this.connected = true;
    const own = timeoutMs + allowance;
    const left = deadline.remainingMs();
    return {
      signal: AbortSignal.timeout(Math.max(1, Math.min(own, left))),
      byDeadline: left < own,
    };
  }

  private fail(operation: string, error: unknown, byDeadline: boolean): void {
    // Out of time is the request's problem, not the table's: tier 2 stays on.
    if (byDeadline) return;
    this.skipUntil = this.deps.clock.now() + this.deps.failureBackoffMs;
    this.deps.metrics.count("CacheSharedErrors");
    // Logged once per failure; the backoff keeps it from repeating on every request.
    this.deps.log.warn("Shared cache unavailable: skipping it for a while", {
      operation,
      error: awsErrorName(error) ?? "unknown",
      table: this.deps.table.tableName,
      skipMs: this.deps.failureBackoffMs,
    });
  }
}

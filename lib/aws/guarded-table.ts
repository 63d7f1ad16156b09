import type { Clock } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import type { Log, MetricName, MetricsSink } from "../observability/types.ts";
import { awsErrorName } from "./aws-errors.ts";
import type { CacheTable, ConditionalUpdate, TableItem } from "./cache-table.ts";

/**
 * The container's first call also loads the SDK's lazy parts and opens the connection (TLS in
 * AWS): it gets this much more time than a warm call, once.
 */
const FIRST_CALL_ALLOWANCE_MS = 250;

/** One user of the table, with its own name in logs, metric and timeouts. */
export interface GuardSettings {
  /** Names the user in its one warning, e.g. "Shared cache". */
  name: string;
  /** Counted once per failure. */
  errorMetric: MetricName;
  readTimeoutMs: number;
  writeTimeoutMs: number;
  /** After a failure, calls are skipped this long instead of paying the timeout on every request. */
  failureBackoffMs: number;
}

export interface GuardedTableDeps {
  table: CacheTable;
  clock: Clock;
  log: Log;
  metrics: MetricsSink;
}

/**
 * The shared table as one of its users sees it, never worse than no table: every call has a short
 * timeout of its own inside the request's deadline, a failure is logged once and counted, then
 * the table is skipped for a while. Nothing here throws.
 */
export class GuardedTable {
  private skipUntil = 0;
  private connected = false;

  constructor(
    private readonly deps: GuardedTableDeps,
    private readonly settings: GuardSettings,
  ) {}

  /** Items by key, in one round trip; undefined when the table could not answer in time. */
  read(keys: readonly string[], deadline: Deadline): Promise<Map<string, TableItem> | undefined> {
    return this.guard("read", this.settings.readTimeoutMs, deadline, (signal) =>
      this.deps.table.read(keys, signal),
    );
  }

  /** One item, strongly consistent; null when absent, undefined when the table could not answer. */
  async get(pk: string, deadline: Deadline): Promise<TableItem | null | undefined> {
    return this.guard(
      "read",
      this.settings.readTimeoutMs,
      deadline,
      async (signal) => (await this.deps.table.get(pk, signal)) ?? null,
    );
  }

  /** Writes an item: true when written, false when over the item limit, undefined on failure. */
  put(item: TableItem, deadline: Deadline, operation: string): Promise<boolean | undefined> {
    return this.guard(operation, this.settings.writeTimeoutMs, deadline, (signal) =>
      this.deps.table.write(item, signal),
    );
  }

  /** True when applied, false when its condition did not hold, undefined on failure. */
  updateIf(
    pk: string,
    change: ConditionalUpdate,
    deadline: Deadline,
    operation: string,
  ): Promise<boolean | undefined> {
    return this.guard(operation, this.settings.writeTimeoutMs, deadline, (signal) =>
      this.deps.table.updateIf(pk, change, signal),
    );
  }

  private async guard<T>(
    operation: string,
    timeoutMs: number,
    deadline: Deadline,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T | undefined> {
    if (this.deps.clock.now() < this.skipUntil) return undefined;
    const allowance = this.connected ? 0 : FIRST_CALL_ALLOWANCE_MS;
    this.connected = true;
    const own = timeoutMs + allowance;
    const left = deadline.remainingMs();
    try {
      return await call(AbortSignal.timeout(Math.max(1, Math.min(own, left))));
    } catch (error) {
      // Out of time is the request's problem, not the table's: it stays on.
      if (left < own) return undefined;
      this.fail(operation, error);
      return undefined;
    }
  }

  private fail(operation: string, error: unknown): void {
    const { clock, log, metrics, table } = this.deps;
    const { name, errorMetric, failureBackoffMs } = this.settings;
    this.skipUntil = clock.now() + failureBackoffMs;
    metrics.count(errorMetric);
    // Logged once per failure; the backoff keeps it from repeating on every request.
    log.warn(`${name} unavailable: skipping it for a while`, {
      operation,
      error: awsErrorName(error) ?? "unknown",
      table: table.tableName,
      skipMs: failureBackoffMs,
    });
  }
}

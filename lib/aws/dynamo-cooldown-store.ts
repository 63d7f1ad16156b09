import type { Clock } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import { type CooldownRecord, type CooldownStore, UNAVAILABLE } from "../spotify/cooldown-store.ts";
import type { TableItem } from "./cache-table.ts";
import { announce, COOLDOWN_KEY, decodeCooldown, settle, takeLease } from "./cooldown-item.ts";
import type { GuardedTable } from "./guarded-table.ts";

/** The record's own name and metric; its timeouts are COOLDOWN_*_TIMEOUT_MS. */
export const COOLDOWN_STORE_GUARD = {
  name: "Fleet cooldown record",
  errorMetric: "CooldownStoreErrors",
  // Short: each container falls back on its own cooldown meanwhile.
  failureBackoffMs: 5_000,
} as const;

/**
 * The fleet's rate-limit record on the shared table (`pk` = COOLDOWN_KEY). The cache's reads carry
 * it along (`remember`), so a request that read the cache needs no round trip of its own.
 */
export class DynamoCooldownStore implements CooldownStore {
  readonly key = COOLDOWN_KEY;
  private last: { record: CooldownRecord | undefined; readAt: number } | undefined;

  constructor(
    private readonly table: GuardedTable,
    private readonly clock: Clock,
  ) {}

  /** Keeps the record another read of the table brought along (undefined item: none). */
  remember(item: TableItem | undefined, readAt: number): void {
    this.last = { record: decodeCooldown(item), readAt };
  }

  recent(maxAgeMs: number): { record: CooldownRecord | undefined } | undefined {
    const last = this.last;
    return last && this.clock.now() - last.readAt <= maxAgeMs ? { record: last.record } : undefined;
  }

  async read(deadline: Deadline): Promise<CooldownRecord | undefined | typeof UNAVAILABLE> {
    const item = await this.table.get(this.key, deadline);
    if (item === undefined) return UNAVAILABLE;
    this.remember(item ?? undefined, this.clock.now());
    return this.last?.record;
  }

  async announce(until: number, reason: string | undefined, deadline: Deadline): Promise<void> {
    await this.table.updateIf(this.key, announce(until, reason), deadline, "announce");
    this.last = undefined;
  }

  async takeLease(
    window: number,
    owner: string,
    leaseUntil: number,
    deadline: Deadline,
  ): Promise<boolean | undefined> {
    const lease = takeLease(window, owner, this.clock.now(), leaseUntil);
    return this.table.updateIf(this.key, lease, deadline, "probe lease");
  }

  async settle(window: number, deadline: Deadline): Promise<void> {
    await this.table.updateIf(this.key, settle(window), deadline, "settle");
    this.last = undefined;
  }
}

import { randomUUID } from "node:crypto";
import type { TableItem } from "../aws/cache-table.ts";
import {
  announce,
  COOLDOWN_KEY,
  decodeCooldown,
  settle,
  takeLease,
} from "../aws/cooldown-record.ts";
import type { SharedTier } from "../cache/shared-tier.ts";
import type { Clock } from "../clock.ts";
import type { RetrySettings } from "../config.ts";
import type { Deadline } from "../deadline.ts";
import { UpstreamError } from "../errors.ts";
import type { Cooldown } from "./cooldown.ts";
import { MIN_ATTEMPT_MS } from "./policy.ts";

/** How often a container waiting for another's probe looks at the record again. */
export const PROBE_POLL_MS = 100;
/** Time beyond the probe's attempt timeout the lease holds (its own write, the answer's way back). */
const LEASE_MARGIN_MS = 1_000;
/** Passes of the gate before it gives up waiting (each one waits or reads once). */
const MAX_PASSES = 200;

export interface FleetCooldownDeps {
  shared: SharedTier;
  /** This container's own cooldown, which the fleet's record extends. */
  cooldown: Cooldown;
  clock: Clock;
  settings: RetrySettings;
}

/** Held by the one container that probes Spotify after a fleet-wide window. */
export interface ProbeLease {
  until: number;
}

/**
 * One Spotify budget for the whole fleet: a 429 any container receives is recorded in the shared
 * table, every container reads it before calling Spotify (with the cache read, one round trip) and
 * behaves as its own cooldown would; after the window one container probes (a lease taken with a
 * conditional write) and the others follow its outcome. If the table fails, each container falls
 * back to its own cooldown.
 */
export class FleetCooldown {
  readonly key = COOLDOWN_KEY;
  private readonly owner = randomUUID();

  constructor(private readonly deps: FleetCooldownDeps) {}

  /** Records a window Spotify announced to this container (extend-only). */
  async announce(until: number, reason: string | undefined, deadline: Deadline): Promise<void> {
    await this.deps.shared.updateIf(this.key, announce(until, reason), deadline, "announce");
  }

  /**
   * Takes the fleet's record (read with the cache entry) into this container's own cooldown: a
   * running window is waited out or answered as the local rules say, and a window that ended
   * without a probe's answer makes this container's next request ask the fleet first.
   */
  observe(item: TableItem | undefined): void {
    const record = decodeCooldown(item);
    if (record && !record.settled) this.deps.cooldown.extend(record.until, record.reason);
  }

  /**
   * Before this container's first request after a window: a window another container heard of
   * goes into this container's cooldown (which the caller then waits out or answers), another
   * container's probe is waited for, and the lease is returned when this request is the fleet's
   * probe. Without an answer from the table, the container's own cooldown decides.
   */
  async beforeProbe(deadline: Deadline): Promise<ProbeLease | undefined> {
    const { clock, cooldown, settings, shared } = this.deps;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const items = await shared.readItems([this.key], deadline);
      const record = decodeCooldown(items?.get(this.key));
      const now = clock.now();
      if (!record || record.settled) return undefined;
      if (record.until > now) {
        cooldown.extend(record.until, record.reason);
        return undefined;
      }
      // This container is the probe (again, after a 5xx): its answer settles the record.
      if (record.probeOwner === this.owner) return { until: record.until };
      if (record.probeUntil > now) {
        if (!deadline.allows(PROBE_POLL_MS, MIN_ATTEMPT_MS)) break;
        await clock.sleep(PROBE_POLL_MS);
        continue;
      }
      // Held through the lease's own write and the probe's attempt, so no second probe starts.
      const leaseUntil =
        now + Math.min(settings.attemptTimeoutMs, deadline.remainingMs()) + LEASE_MARGIN_MS;
      const lease = takeLease(record.until, this.owner, now, leaseUntil);
      const taken = await shared.updateIf(this.key, lease, deadline, "probe lease");
      if (taken === undefined) return undefined;
      if (taken) return { until: record.until };
    }
    throw new UpstreamError(429, "Spotify is being probed after a rate limit; try again shortly", {
      retryAfterSeconds: 1,
    });
  }

  /** Spotify answered the probe: the others may go. */
  async settle(lease: ProbeLease, deadline: Deadline): Promise<void> {
    await this.deps.shared.updateIf(this.key, settle(lease.until), deadline, "settle");
  }
}

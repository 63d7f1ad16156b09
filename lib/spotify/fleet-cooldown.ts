import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { RetrySettings } from "../config.ts";
import type { Deadline } from "../deadline.ts";
import { CooldownError } from "../errors.ts";
import type { Cooldown } from "./cooldown.ts";
import { type CooldownRecord, type CooldownStore, UNAVAILABLE } from "./cooldown-store.ts";
import { MAX_BACKOFF_MS, MIN_ATTEMPT_MS } from "./policy.ts";

/** How often a container waiting for another's probe looks at the record again. */
export const PROBE_POLL_MS = 100;
/**
 * A record read this recently (with the request's cache entry) is taken as the fleet's current
 * one; older, it is read again, so a window another container announced is seen before sending.
 */
export const RECORD_MAX_AGE_MS = 100;
/** Time beyond the probe's attempt and backoff the lease holds (its own write, the way back). */
const LEASE_MARGIN_MS = 1_000;
/** Passes of the gate before it gives up waiting (each one waits or reads once). */
const MAX_PASSES = 200;

export interface FleetCooldownDeps {
  store: CooldownStore;
  /** This container's own cooldown, which the fleet's record extends. */
  cooldown: Cooldown;
  clock: Clock;
  settings: RetrySettings;
}

/** Held by the one container that probes Spotify after a fleet-wide window. */
export interface ProbeLease {
  /** The end of the window the probe is for. */
  window: number;
}

/**
 * One Spotify budget for the whole fleet: a 429 any container receives is recorded in the shared
 * record, every container reads it before calling Spotify (with the cache read when there is one)
 * and behaves as its own cooldown would; after the window one container's search probes (a lease
 * taken with a conditional write) and the others follow its outcome. If the store fails, each
 * container falls back to its own cooldown.
 */
export class FleetCooldown {
  private readonly owner = randomUUID();

  constructor(private readonly deps: FleetCooldownDeps) {}

  /** This container's cooldown left, the fleet's record (when read moments ago) included. */
  remainingMs(now: number): number {
    const recent = this.deps.store.recent(RECORD_MAX_AGE_MS);
    if (recent) this.observe(recent.record);
    return this.deps.cooldown.remainingMs(now);
  }

  /** Before a request: the fleet's record into this container's cooldown (one read, if not fresh). */
  async refresh(deadline: Deadline): Promise<void> {
    const recent = this.deps.store.recent(RECORD_MAX_AGE_MS);
    const record = recent ? recent.record : await this.deps.store.read(deadline);
    if (record !== UNAVAILABLE) this.observe(record);
  }

  /** Records a window Spotify announced to this container (extend-only). */
  announce(until: number, reason: string | undefined, deadline: Deadline): Promise<void> {
    return this.deps.store.announce(until, reason, deadline);
  }

  /**
   * Before this container's first search after a window: a window another container heard of goes
   * into this container's cooldown (which the caller then waits out or answers), another
   * container's probe is waited for, and the lease is returned when this search is the fleet's
   * probe (taken, or renewed while it retries, so no second container probes meanwhile). Without
   * an answer from the store, the container's own cooldown decides.
   */
  async beforeProbe(deadline: Deadline): Promise<ProbeLease | undefined> {
    const { clock, cooldown, settings, store } = this.deps;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const record = await store.read(deadline);
      const now = clock.now();
      if (record === UNAVAILABLE || !record || record.settled) return undefined;
      if (record.until > now) {
        cooldown.extend(record.until, record.reason);
        return undefined;
      }
      if (record.probeOwner !== this.owner && record.probeUntil > now) {
        if (!deadline.allows(PROBE_POLL_MS, MIN_ATTEMPT_MS)) break;
        await clock.sleep(PROBE_POLL_MS);
        continue;
      }
      // Covers the attempt, the backoff before a retry (which renews it) and the lease's writes.
      const leaseUntil =
        now +
        Math.min(settings.attemptTimeoutMs, deadline.remainingMs()) +
        MAX_BACKOFF_MS +
        LEASE_MARGIN_MS;
      const taken = await store.takeLease(record.until, this.owner, leaseUntil, deadline);
      if (taken === undefined) return undefined;
      if (taken) return { window: record.until };
    }
    throw new CooldownError(429, "Spotify is being probed after a rate limit; try again shortly", {
      retryAfterSeconds: 1,
    });
  }

  /** Spotify answered the probe: the others may go. */
  settle(lease: ProbeLease, deadline: Deadline): Promise<void> {
    return this.deps.store.settle(lease.window, deadline);
  }

  private observe(record: CooldownRecord | undefined): void {
    if (record && !record.settled) this.deps.cooldown.extend(record.until, record.reason);
  }
}

import type { Deadline } from "../deadline.ts";

/** What the fleet knows of Spotify's last `Retry-After`. */
export interface CooldownRecord {
  /** End of the window (epoch ms). */
  until: number;
  reason: string | undefined;
  /** A search got through after the window: the fleet may call freely again. */
  settled: boolean;
  /** The container probing after the window, and until when its lease holds (epoch ms). */
  probeOwner: string | undefined;
  probeUntil: number;
}

/** The store could not answer in time; each container falls back to its own cooldown. */
export const UNAVAILABLE = "unavailable";

/**
 * The fleet's one rate-limit record (Spotify counts one budget per app). Never throws: a store
 * that fails or is slow answers UNAVAILABLE (read) or `undefined` (lease).
 */
export interface CooldownStore {
  /** The record as read within the last `maxAgeMs` (say, with a cache entry): no round trip. */
  recent(maxAgeMs: number): { record: CooldownRecord | undefined } | undefined;
  read(deadline: Deadline): Promise<CooldownRecord | undefined | typeof UNAVAILABLE>;
  /** Records a window that ends at `until`; extend-only, and a new window needs a new probe. */
  announce(until: number, reason: string | undefined, deadline: Deadline): Promise<void>;
  /**
   * Takes the probe lease for the window that ended at `window`, or renews it for its holder:
   * true when `owner` holds it until `leaseUntil`, false when another does or the window changed.
   */
  takeLease(
    window: number,
    owner: string,
    leaseUntil: number,
    deadline: Deadline,
  ): Promise<boolean | undefined>;
  /** The probe got its answer: the window that ended at `window` is over for everyone. */
  settle(window: number, deadline: Deadline): Promise<void>;
}

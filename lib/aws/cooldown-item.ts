import type { CooldownRecord } from "../spotify/cooldown-store.ts";
import type { ConditionalUpdate, TableItem } from "./cache-table.ts";

/** The fleet's one rate-limit record: Spotify counts one budget per app. */
export const COOLDOWN_KEY = "cooldown#spotify";
/** Kept this long after its window (DynamoDB's TTL), so late readers still see it settled. */
const RECORD_RETENTION_SECONDS = 86_400;

export function decodeCooldown(item: TableItem | undefined): CooldownRecord | undefined {
  const until = Number(item?.until?.N);
  if (!item || !Number.isFinite(until)) return undefined;
  const probeUntil = Number(item.probeUntil?.N ?? 0);
  return {
    until,
    reason: item.reason?.S || undefined,
    settled: item.settled?.BOOL === true,
    probeOwner: item.probeOwner?.S,
    probeUntil: Number.isFinite(probeUntil) ? probeUntil : 0,
  };
}

/**
 * Records a window that ends at `until`. Extend-only: the condition keeps a later, shorter window
 * from shortening a longer one. A new window needs a new probe, so the lease and `settled` reset.
 */
export function announce(until: number, reason: string | undefined): ConditionalUpdate {
  return {
    update:
      "SET #until = :until, #reason = :reason, #settled = :false, #expiresAt = :expiresAt REMOVE #probeOwner, #probeUntil",
    condition: "attribute_not_exists(#until) OR #until < :until",
    names: {
      "#until": "until",
      "#reason": "reason",
      "#settled": "settled",
      "#expiresAt": "expiresAt",
      "#probeOwner": "probeOwner",
      "#probeUntil": "probeUntil",
    },
    values: {
      ":until": { N: String(until) },
      ":reason": { S: reason ?? "" },
      ":false": { BOOL: false },
      ":expiresAt": { N: String(Math.ceil(until / 1000) + RECORD_RETENTION_SECONDS) },
    },
  };
}

/**
 * Takes the probe lease for the window that ended at `until`: only while that window is still
 * the record's, not yet settled, and nobody else holds a lease that runs past `now` (the gate in
 * lib/spotify/fleet-cooldown.ts reads a lease as held while `probeUntil > now`: the same rule). Its holder renews it
 * the same way (while it retries), so the lease covers the probe until its outcome is known.
 */
export function takeLease(
  until: number,
  owner: string,
  now: number,
  leaseUntil: number,
): ConditionalUpdate {
  return {
    update: "SET #probeOwner = :owner, #probeUntil = :leaseUntil",
    condition:
      "#until = :until AND #settled = :false AND (attribute_not_exists(#probeUntil) OR #probeUntil <= :now OR #probeOwner = :owner)",
    names: {
      "#until": "until",
      "#settled": "settled",
      "#probeOwner": "probeOwner",
      "#probeUntil": "probeUntil",
    },
    values: {
      ":until": { N: String(until) },
      ":false": { BOOL: false },
      ":owner": { S: owner },
      ":now": { N: String(now) },
      ":leaseUntil": { N: String(leaseUntil) },
    },
  };
}

/** Spotify answered the probe: the window that ended at `until` is over for everyone. */
export function settle(until: number): ConditionalUpdate {
  return {
    update: "SET #settled = :true REMOVE #probeOwner, #probeUntil",
    condition: "#until = :until",
    names: {
      "#until": "until",
      "#settled": "settled",
      "#probeOwner": "probeOwner",
      "#probeUntil": "probeUntil",
    },
    values: { ":until": { N: String(until) }, ":true": { BOOL: true } },
  };
}

/**
 * The fleet simulation's modes, the compression/write-policy variants of mode 3, and the run's
 * sizes (`plan`), full and quick.
 */
import type { Latency, Quota, RateLimit } from "../../local/emulator/types.ts";
import type { LockoutPlan, Mode } from "./simulate.ts";
import type { WorkloadOptions } from "./workload.ts";

const CACHE_TTL_SECONDS = "300";

/**
 * moto is DynamoDB's stand-in, not its speed: on this shared 2-core machine it answers in
 * 5–300 ms and now and then stalls for half a second (load-dependent), where DynamoDB answers in
 * single-digit ms. The cache's and the cooldown record's timeouts, sized for DynamoDB, would call
 * moto "unavailable" and send the container back to its own cooldown for 30 s, so the simulation
 * gives them moto's scale. Every mode gets the same (modes 1 and 2 have no table).
 */
export const LOCAL_SUBSTITUTE_ENV: Readonly<Record<string, string>> = {
  CACHE_READ_TIMEOUT_MS: "1500",
  CACHE_WRITE_TIMEOUT_MS: "2000",
  // The cooldown record's own timeouts (150 ms read, 250 ms write), for the same reason.
  COOLDOWN_READ_TIMEOUT_MS: "1500",
  COOLDOWN_WRITE_TIMEOUT_MS: "2000",
};

const SHARED = { ...LOCAL_SUBSTITUTE_ENV, CACHE_TTL_SECONDS };

export const MODES: readonly Mode[] = [
  {
    id: 1,
    name: "today",
    env: { ...LOCAL_SUBSTITUTE_ENV, CACHE_TTL_SECONDS: "0", CACHE_TABLE_NAME: undefined },
    sharedTable: false,
  },
  {
    id: 2,
    name: "tier-1 cache",
    env: { ...LOCAL_SUBSTITUTE_ENV, CACHE_TTL_SECONDS, CACHE_TABLE_NAME: undefined },
    sharedTable: false,
  },
  { id: 3, name: "shared cache + cooldown", env: SHARED, sharedTable: true },
  { id: 4, name: "after a quota lockout", env: SHARED, sharedTable: true, lockout: true },
  { id: 5, name: "API and batch together", env: SHARED, sharedTable: true, batch: true },
];

/**
 * Mode 3 again with each stored-body compression and tier-2 write policy (search-function
 * variables `CACHE_COMPRESSION`, `CACHE_WRITE_POLICY`); brotli + always is mode 3 itself.
 */
export const VARIANTS: readonly Mode[] = (["zlib", "brotli"] as const).flatMap((compression) =>
  (["always", "second-miss"] as const).map((policy) => ({
    id: 3,
    name: "shared cache + cooldown",
    variant: `${compression}, ${policy}`,
    env: { ...SHARED, CACHE_COMPRESSION: compression, CACHE_WRITE_POLICY: policy },
    sharedTable: true,
  })),
);

/** The variant that is mode 3 as the template ships it (the defaults). */
export const DEFAULT_VARIANT = "brotli, always";

export interface Plan {
  workload: Omit<WorkloadOptions, "seed">;
  containers: number;
  latency: Latency;
  rateLimit: RateLimit;
  quota: Quota | undefined;
  lockout: LockoutPlan;
  batch: { queries: number; startAfterMs: number };
  boundMs: number;
}

export interface PlanOptions {
  quick?: boolean;
  quota?: boolean;
  containers?: number;
  requests?: number;
  rate?: number;
}

/**
 * Sizes: the full run offers 30 requests/s against a window that admits 20/s (80 per rolling
 * 4 s: Spotify's 30 s window scaled down, so Retry-After is 1–4 s as Spotify usually sends), so
 * mode 1, where every caller request needs Spotify, is rate-limited throughout (and takes
 * requests / 20 s), while the misses of a shared cache stay near or under the window.
 */
export function plan(options: PlanOptions): Plan {
  const quick = options.quick === true;
  const requests = options.requests ?? (quick ? 300 : 2400);
  const rate = options.rate ?? (quick ? 20 : 30);
  const windowMs = 4000;
  const admittedPerSecond = quick ? 12 : 20;
  const seconds = requests / rate;
  return {
    workload: {
      distinct: quick ? 200 : 2000,
      requests,
      callers: quick ? 6 : 8,
      ratePerSecond: rate,
      exponent: 1,
    },
    containers: options.containers ?? (quick ? 4 : 6),
    latency: { minMs: 60, maxMs: 120 },
    rateLimit: {
      windowMs,
      maxRequests: (admittedPerSecond * windowMs) / 1000,
      countRejected: true,
    },
    // The "day" is scaled to the run: it trips after a third of the offered load and lasts 20 s.
    quota: options.quota
      ? { maxRequests: Math.round(requests / 3), retryAfterSeconds: 20 }
      : undefined,
    // Mode 4: Spotify's hour-long token and day-long lockout scaled to the run. The lockout trips
    // early (a shared cache's misses in the first fifth or so of the run) and lasts twice a
    // token's life, so every token has expired when it ends; longer than the rate window's
    // Retry-After (at most 4 s) to be told apart from it.
    lockout: quick
      ? { afterSearches: 25, windowSeconds: 6, tokenLifetimeSeconds: 3 }
      : { afterSearches: 150, windowSeconds: 20, tokenLifetimeSeconds: 10 },
    // Mode 5: a batch at the template's pace (5/s) that lasts about half the run.
    batch: { queries: Math.max(10, Math.round(seconds * 2.5)), startAfterMs: quick ? 1000 : 5000 },
    // Time bound: past this, callers stop sending (reported as "not sent"). Mode 1 needs about
    // requests / admitted-per-second; half as much again and 30 s more never bite a sound run.
    boundMs:
      30_000 + 1.5 * Math.max((requests / rate) * 1000, (requests / admittedPerSecond) * 1000),
  };
}

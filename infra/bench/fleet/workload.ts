/**
 * The fleet simulation's workload: a seeded, replayable list of caller requests whose queries
 * follow Zipf(s) over `distinct` query strings (rank 1 the most asked), and a schedule of Poisson
 * arrivals per caller. Same seed and options, same workload, byte for byte.
 */

/** mulberry32: a small, fast 32-bit PRNG; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 1..n with P(k) ∝ 1/k^s (inverse transform over the cumulative weights). */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError("n must be a positive integer");
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k += 1) {
    total += 1 / k ** s;
    cumulative[k - 1] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cumulative[mid] ?? total) <= target) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  };
}

const SYLLABLES = "ka,lo,mi,ra,te,su,no,vi,da,ze,pa,ri,go,lu,fe,ny,sh,ba,to,qu".split(",");
const TYPES = ["track", "artist", "album", "track,artist", "playlist"] as const;
const MARKETS = [undefined, undefined, "US", "GB", "DE", "JP"] as const;

function word(random: () => number): string {
  const length = 2 + Math.floor(random() * 3);
  let text = "";
  for (let i = 0; i < length; i += 1) text += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  return text;
}

/** `distinct` different raw query strings for GET /search, the same for the same seed. */
export function queryCatalogue(distinct: number, seed: number): string[] {
  const random = seededRandom(seed ^ 0x5eed);
  const seen = new Set<string>();
  const queries: string[] = [];
  while (queries.length < distinct) {
    const q = random() < 0.3 ? `artist:${word(random)}` : `${word(random)} ${word(random)}`;
    const params = new URLSearchParams({
      q,
      type: TYPES[Math.floor(random() * TYPES.length)] ?? "",
    });
    const market = MARKETS[Math.floor(random() * MARKETS.length)];
    if (market !== undefined) params.set("market", market);
    params.set("limit", String(5 + Math.floor(random() * 6)));
    const raw = params.toString();
    if (seen.has(raw)) continue;
    seen.add(raw);
    queries.push(raw);
  }
  return queries;
}

export interface WorkloadOptions {
  seed: number;
  /** Distinct queries the Zipf law ranges over. */
  distinct: number;
  /** Caller requests in all. */
  requests: number;
  /** Concurrent callers; each sends its share in order, never two at once. */
  callers: number;
  /** Offered load of all callers together (Poisson arrivals). */
  ratePerSecond: number;
  /** Zipf exponent (default 1.0). */
  exponent?: number;
}

export interface CallerRequest {
  index: number;
  caller: number;
  /** Scheduled send time, ms after the start of the run. */
  atMs: number;
  /** 1 = the most popular query. */
  rank: number;
  rawQuery: string;
}

/** The requests each caller sends, in its order; the same for the same options. */
export function buildWorkload(options: WorkloadOptions): CallerRequest[][] {
  const { seed, distinct, requests, callers, ratePerSecond } = options;
  const catalogue = queryCatalogue(distinct, seed);
  const random = seededRandom(seed);
  const sample = zipfSampler(distinct, options.exponent ?? 1, random);
  const perCaller: CallerRequest[][] = Array.from({ length: callers }, () => []);
  let atMs = 0;
  for (let index = 0; index < requests; index += 1) {
    // Exponential gaps: a Poisson stream of the given rate, dealt round-robin to the callers.
    atMs += (-Math.log(1 - random()) / ratePerSecond) * 1000;
    const rank = sample();
    const caller = index % callers;
    perCaller[caller]?.push({
      index,
      caller,
      atMs: Math.round(atMs),
      rank,
      rawQuery: catalogue[rank - 1] ?? "",
    });
  }
  return perCaller;
}

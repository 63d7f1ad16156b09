/**
 * Pure measurements over the emulator's request log. Containers do not name themselves to Spotify,
 * but each holds its own access token, so the token (as a small index, never its value) says which
 * container a request came from.
 */

/** One search request as Spotify saw it; times in ms on one clock. */
export interface UpstreamRecord {
  /** Index of the access token the request carried (-1 when none). */
  identity: number;
  receivedAt: number;
  /** When the answer left (the caller learns it right after); undefined if none was sent. */
  answeredAt: number | undefined;
  status: number;
  /** Seconds, as announced in Retry-After on a 429. */
  retryAfterSeconds: number | undefined;
}

/** A 429 told to one identity: Spotify refuses the app from `toldAt` until `until`. */
export interface AnnouncedWindow {
  identity: number;
  toldAt: number;
  until: number;
}

export function announcedWindows(records: readonly UpstreamRecord[]): AnnouncedWindow[] {
  const windows: AnnouncedWindow[] = [];
  for (const record of records) {
    if (record.status !== 429 || record.answeredAt === undefined) continue;
    const seconds = record.retryAfterSeconds ?? 0;
    if (!(seconds > 0)) continue;
    windows.push({
      identity: record.identity,
      toldAt: record.answeredAt,
      until: record.answeredAt + seconds * 1000,
    });
  }
  return windows.sort((a, b) => a.toldAt - b.toldAt);
}

/** A request that reached Spotify inside a window announced to another identity. */
export interface WindowViolation {
  request: UpstreamRecord;
  window: AnnouncedWindow;
}

/**
 * Requests that reached Spotify inside a window another identity had been told about at least
 * `graceMs` earlier: calls a fleet acting as one client would not have made. Each request is
 * listed once, with the earliest window that covers it.
 */
export function windowViolations(
  records: readonly UpstreamRecord[],
  windows: readonly AnnouncedWindow[],
  graceMs = 100,
): WindowViolation[] {
  const violations: WindowViolation[] = [];
  for (const record of records) {
    const t = record.receivedAt;
    for (const window of windows) {
      if (window.toldAt + graceMs > t) break;
      if (window.identity !== record.identity && t < window.until) {
        violations.push({ request: record, window });
        break;
      }
    }
  }
  return violations;
}

export function requestsInsideAnnouncedWindows(
  records: readonly UpstreamRecord[],
  windows: readonly AnnouncedWindow[],
  graceMs = 100,
): number {
  return windowViolations(records, windows, graceMs).length;
}

/** The periods Spotify refused the app: announced windows of every identity, overlaps merged. */
export function mergeWindows(windows: readonly AnnouncedWindow[]): [number, number][] {
  const merged: [number, number][] = [];
  for (const { toldAt, until } of [...windows].sort((a, b) => a.toldAt - b.toldAt)) {
    const last = merged.at(-1);
    if (last !== undefined && toldAt <= last[1]) last[1] = Math.max(last[1], until);
    else merged.push([toldAt, until]);
  }
  return merged;
}

/** Requests in the first `spanMs` after each merged window ends (a stampede shows here). */
export function requestsAfterWindows(
  records: readonly UpstreamRecord[],
  merged: readonly [number, number][],
  spanMs = 1000,
): number {
  let count = 0;
  for (const record of records) {
    if (merged.some(([, end]) => record.receivedAt >= end && record.receivedAt < end + spanMs)) {
      count += 1;
    }
  }
  return count;
}

/** Nearest-rank percentile (p in 0..100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** Upstream requests and 429s per whole second since `startMs`, for `seconds` seconds. */
export function perSecond(
  records: readonly UpstreamRecord[],
  startMs: number,
  seconds: number,
): { upstream: number[]; rateLimited: number[] } {
  const upstream = new Array<number>(seconds).fill(0);
  const rateLimited = new Array<number>(seconds).fill(0);
  for (const record of records) {
    const second = Math.floor((record.receivedAt - startMs) / 1000);
    if (second < 0 || second >= seconds) continue;
    upstream[second] = (upstream[second] ?? 0) + 1;
    if (record.status === 429) rateLimited[second] = (rateLimited[second] ?? 0) + 1;
  }
  return { upstream, rateLimited };
}

/** Sums the named metrics over the EMF records (`{"_aws":…}` lines) in a function's output. */
export function sumMetrics(output: string, names: readonly string[]): Record<string, number> {
  const sums: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  for (const line of output.split("\n")) {
    if (!line.startsWith('{"_aws"')) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const name of names) {
      const value = record[name];
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) if (typeof v === "number") sums[name] = (sums[name] ?? 0) + v;
    }
  }
  return sums;
}

/** What reached Spotify once a fleet-wide lockout ended at `end` (mode 4). */
export interface AfterLockout {
  /** ms from the end of the window to the first search after it (undefined: none came). */
  firstSearchAfterMs: number | undefined;
  /** Searches from the first one after the window until its answer, itself included (target 1). */
  searchesUntilFirstAnswer: number;
  searchesFirstSecond: number;
  tokensFirstSecond: number;
  tokensUntilFirstAnswer: number;
}

export function afterLockout(
  searches: readonly UpstreamRecord[],
  tokenRequestsAt: readonly number[],
  end: number,
  spanMs = 1000,
): AfterLockout {
  const after = searches
    .filter((r) => r.receivedAt >= end)
    .sort((a, b) => a.receivedAt - b.receivedAt);
  const first = after[0];
  const answered = first?.answeredAt ?? Number.POSITIVE_INFINITY;
  const inSpan = (at: number) => at >= end && at < end + spanMs;
  return {
    firstSearchAfterMs: first === undefined ? undefined : first.receivedAt - end,
    searchesUntilFirstAnswer: after.filter((r) => r.receivedAt <= answered).length,
    searchesFirstSecond: after.filter((r) => inSpan(r.receivedAt)).length,
    tokensFirstSecond: tokenRequestsAt.filter(inSpan).length,
    tokensUntilFirstAnswer: tokenRequestsAt.filter((at) => at >= end && at <= answered).length,
  };
}

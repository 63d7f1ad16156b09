/** What lib code needs from a logger; Powertools Logger satisfies it. */
export interface Log {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export type MetricName =
  | "TokenRefreshes"
  | "SecretReads"
  | "UpstreamRetries"
  | "UpstreamLatency"
  | "ThrottledAnswers"
  | "CooldownRejections"
  | "ScheduledSucceeded"
  | "ScheduledFailed"
  | "ScheduledSkipped"
  | "ScheduledItems"
  | "CacheMemoryHits"
  | "CacheSharedHits"
  | "CacheMisses"
  | "CacheStaleAnswers"
  | "CacheSharedErrors"
  | "CacheOversizeEntries"
  | "CooldownStoreErrors";

/** What lib code needs from a metrics sink; `lib/observability/metrics.ts` backs it with EMF. */
export interface MetricsSink {
  count(name: MetricName, value?: number, dimensions?: Record<string, string>): void;
  milliseconds(name: MetricName, value: number): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
export const noMetrics: MetricsSink = { count() {}, milliseconds() {} };

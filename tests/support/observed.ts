import type { Log, MetricName, MetricsSink } from "../../lib/observability/types.ts";

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  details: Record<string, unknown>;
}

/** A Log and a MetricsSink that keep what they were told, for a test to read back. */
export function observed() {
  const lines: LogLine[] = [];
  const counts = new Map<string, number>();
  const line =
    (level: LogLine["level"]) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      lines.push({ level, message, details: Object.assign({}, ...extra) });
  const log: Log = {
    debug: line("debug"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
  };
  const metrics: MetricsSink = {
    count: (name: MetricName, value = 1, dimensions?: Record<string, string>) => {
      for (const key of [
        name,
        ...Object.entries(dimensions ?? {}).map(([k, v]) => `${name}:${k}=${v}`),
      ]) {
        counts.set(key, (counts.get(key) ?? 0) + value);
      }
    },
    milliseconds: () => {},
  };
  return { lines, counts, log, metrics, count: (key: string) => counts.get(key) ?? 0 };
}

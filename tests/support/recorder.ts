import type { Log, MetricName, MetricsSink } from "../../lib/observability/types.ts";

/** A log and a metrics sink that keep exactly what they were given (details as passed). */
export function recorder() {
  const lines: { level: string; message: string; details: Record<string, unknown>[] }[] = [];
  const counts = new Map<MetricName, number>();
  const at =
    (level: string) =>
    (message: string, ...details: Record<string, unknown>[]) =>
      lines.push({ level, message, details });
  const log: Log = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  const metrics: MetricsSink = {
    count: (name, value = 1) => counts.set(name, (counts.get(name) ?? 0) + value),
    milliseconds: () => {},
  };
  return { lines, counts, log, metrics };
}

/**
 * Bench-only stand-in for `lib/observability/metrics.ts` without Powertools: the same exports and
 * the same CloudWatch Embedded Metric Format records (one per flush, plus one per dimensioned
 * value), written as one JSON line each on stdout. Swapped in by the bench's esbuild plugin.
 */
import type { MetricName, MetricsSink } from "../../../lib/observability/types.ts";

type Unit = "Count" | "Milliseconds";

interface Stored {
  unit: Unit;
  values: number[];
}

class PlainMetrics {
  private readonly namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? "default_namespace";
  private readonly service = process.env.POWERTOOLS_SERVICE_NAME ?? "service_undefined";
  private stored = new Map<string, Stored>();

  addMetric(name: string, unit: Unit, value: number): void {
    const entry = this.stored.get(name);
    if (entry) entry.values.push(value);
    else this.stored.set(name, { unit, values: [value] });
  }

  hasStoredMetrics(): boolean {
    return this.stored.size > 0;
  }

  publishStoredMetrics(): void {
    if (this.stored.size === 0) return;
    this.emit(this.stored, {});
    this.stored = new Map();
  }

  /** Writes one record for a single dimensioned value at once (Powertools' `singleMetric()`). */
  publishSingle(name: string, unit: Unit, value: number, dimensions: Record<string, string>): void {
    this.emit(new Map([[name, { unit, values: [value] }]]), dimensions);
  }

  private emit(metrics: Map<string, Stored>, dimensions: Record<string, string>): void {
    const record: Record<string, unknown> = {
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: this.namespace,
            Dimensions: [["service", ...Object.keys(dimensions)]],
            Metrics: [...metrics].map(([Name, { unit }]) => ({ Name, Unit: unit })),
          },
        ],
      },
      service: this.service,
      ...dimensions,
    };
    for (const [name, { values }] of metrics) {
      record[name] = values.length === 1 ? values[0] : values;
    }
    process.stdout.write(`${JSON.stringify(record)}\n`);
  }
}

export const metrics = new PlainMetrics();

export const emfMetrics: MetricsSink = {
  count(name: MetricName, value = 1, dimensions?: Record<string, string>) {
    if (dimensions) {
      metrics.publishSingle(name, "Count", value, dimensions);
      return;
    }
    metrics.addMetric(name, "Count", value);
  },
  milliseconds(name: MetricName, value: number) {
    metrics.addMetric(name, "Milliseconds", value);
  },
};

export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { MetricName, MetricsSink } from "./types.ts";

/**
 * CloudWatch Embedded Metric Format through Powertools Metrics. Namespace and the `service`
 * dimension come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME.
 */
export const metrics = new Metrics();

export const emfMetrics: MetricsSink = {
  count(name: MetricName, value = 1, dimensions?: Record<string, string>) {
    if (dimensions) {
      // A dimensioned value (e.g. retries by reason) goes out as its own EMF record.
      metrics.singleMetric().addDimensions(dimensions).addMetric(name, MetricUnit.Count, value);
      return;
    }
    metrics.addMetric(name, MetricUnit.Count, value);
  },
  milliseconds(name: MetricName, value: number) {
    metrics.addMetric(name, MetricUnit.Milliseconds, value);
  },
};

/** Writes this invocation's metrics; call once at the end of every invocation. */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

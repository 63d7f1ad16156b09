import { afterEach, describe, expect, it } from "vitest";
import { emfMetrics, flushMetrics } from "../../../lib/observability/metrics.ts";
import { captureOutput } from "./output.ts";

const output = captureOutput();
const lines = output.jsonLines;
afterEach(() => flushMetrics());

const records = () => lines().filter((line) => "_aws" in line);

/** The CloudWatch metric definitions of one EMF record. */
function definitions(record: Record<string, unknown> | undefined) {
  const aws = record?._aws as {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: unknown[] }[];
  };
  return aws.CloudWatchMetrics[0];
}

describe("emfMetrics.count", () => {
  it("keeps a count for the end of the invocation, writing nothing yet", () => {
    emfMetrics.count("CacheMisses");

    expect(records()).toEqual([]);
  });

  it("adds up counts of one name into one record at the flush", () => {
    emfMetrics.count("CacheMisses");
    emfMetrics.count("CacheMisses", 2);

    flushMetrics();

    expect(records()).toHaveLength(1);
    const [record] = records();
    expect([record?.CacheMisses].flat().reduce((sum: number, v) => sum + Number(v), 0)).toBe(3);
    expect(definitions(record)).toMatchObject({
      Namespace: "SpotifySearch",
      Metrics: [{ Name: "CacheMisses", Unit: "Count" }],
    });
  });

  it("writes a dimensioned count at once, as its own record with that dimension", () => {
    emfMetrics.count("UpstreamRetries", 1, { reason: "rate-limit" });

    expect(records()).toHaveLength(1);
    const [record] = records();
    expect(record).toMatchObject({ UpstreamRetries: 1, reason: "rate-limit" });
    expect(definitions(record)?.Dimensions[0]).toContain("reason");
  });

  it("keeps a dimensioned count out of the invocation's own record", () => {
    emfMetrics.count("UpstreamRetries", 1, { reason: "server-error" });
    emfMetrics.count("TokenRefreshes");

    flushMetrics();

    const flushed = records().at(-1);
    expect(flushed).toHaveProperty("TokenRefreshes");
    expect(flushed).not.toHaveProperty("UpstreamRetries");
    expect(flushed).not.toHaveProperty("reason");
  });
});

describe("emfMetrics.milliseconds", () => {
  it("records a duration in milliseconds", () => {
    emfMetrics.milliseconds("UpstreamLatency", 120);

    flushMetrics();

    const [record] = records();
    expect(record).toMatchObject({ UpstreamLatency: 120 });
    expect(definitions(record)?.Metrics).toEqual([
      { Name: "UpstreamLatency", Unit: "Milliseconds" },
    ]);
  });
});

describe("flushMetrics", () => {
  it("writes nothing, not even a warning, when the invocation counted nothing", () => {
    flushMetrics();

    expect(output.text()).toBe("");
  });

  it("writes each count once: a second flush has nothing left", () => {
    emfMetrics.count("SecretReads");
    flushMetrics();
    const afterFirst = output.text();

    flushMetrics();

    expect(records()).toHaveLength(1);
    expect(output.text()).toBe(afterFirst);
  });
});

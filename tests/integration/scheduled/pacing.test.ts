import { afterEach, describe, expect, it } from "vitest";
import { collect } from "../../../lib/batch/collect.ts";
import { type Clock, systemClock } from "../../../lib/clock.ts";
import { Deadline } from "../../../lib/deadline.ts";
import { collectorWithClock } from "../../support/collector.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The scheduled collection over the composition root, on the emulator, with the given clock. */
async function collector(clock: Clock, env: Record<string, string>) {
  stack = await startTestStack({ emulator: clock === systemClock ? {} : { now: clock.now } });
  const deps = collectorWithClock(stack, clock, env);
  const run = (count: number, remainingMs = 300_000) =>
    collect(
      {
        runId: `pacing-${count}`,
        startedAt: new Date(clock.now()),
        queries: Array.from({ length: count }, (_, i) => ({ q: `artist ${i}`, type: "artist" })),
      },
      new Deadline(clock.now() + remainingMs, clock),
      deps,
    );
  return { run };
}

function searchTimes(): number[] {
  return (stack?.emulator.requests ?? [])
    .filter((request) => request.endpoint === "search")
    .map((request) => request.receivedAt);
}

function mostInAnySecond(times: readonly number[], jitterMs = 0): number {
  const inWindow = (start: number) =>
    times.filter((t) => t >= start && t < start + 1000 - jitterMs).length;
  return Math.max(0, ...times.map(inWindow));
}

describe("the batch paces its own requests (BATCH_REQUESTS_PER_SECOND)", () => {
  it("50 searches at 5 per second: at least 9 s of requests, never more than 5 in any second", async () => {
    const clock = new FakeClock();
    const { run } = await collector(clock, {
      BATCH_REQUESTS_PER_SECOND: "5",
      BATCH_CONCURRENCY: "1",
    });

    const summary = await run(50);

    const times = searchTimes();
    expect(summary).toMatchObject({ succeeded: 50, skipped: 0, requests: 50 });
    expect(times).toHaveLength(50);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(9_000);
    expect(mostInAnySecond(times)).toBeLessThanOrEqual(5);
  });

  it("the pace holds with 4 searches at once (real time, on the emulator's clock)", async () => {
    const { run } = await collector(systemClock, {
      BATCH_REQUESTS_PER_SECOND: "5",
      BATCH_CONCURRENCY: "4",
    });

    const summary = await run(11);

    const times = searchTimes();
    expect(summary).toMatchObject({ succeeded: 11, requests: 11 });
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(2_000 - 50);
    // Loopback delivery varies between requests, more so on a busy machine: allow 50 ms of it
    // (the fake-clock test above holds the pacer to the exact spacing).
    expect(mostInAnySecond(times, 50)).toBeLessThanOrEqual(5);
  });

  it("never sleeps past the deadline: with 4 s at 1 per second, the rest is skipped", async () => {
    const clock = new FakeClock();
    const { run } = await collector(clock, { BATCH_REQUESTS_PER_SECOND: "1" });
    const started = clock.now();

    const summary = await run(10, 5_000);

    expect(summary.succeeded).toBeGreaterThanOrEqual(2);
    expect(summary.succeeded + summary.skipped).toBe(10);
    expect(summary.skipped).toBeGreaterThan(0);
    expect(clock.now() - started).toBeLessThanOrEqual(5_000);
  });
});

describe("the batch caps its requests (BATCH_MAX_REQUESTS)", () => {
  it("BATCH_MAX_REQUESTS=20 stops at 20 requests and reports the rest as skipped", async () => {
    const clock = new FakeClock();
    const { run } = await collector(clock, {
      BATCH_REQUESTS_PER_SECOND: "1000",
      BATCH_MAX_REQUESTS: "20",
    });

    const summary = await run(30);

    expect(searchTimes()).toHaveLength(20);
    expect(summary).toMatchObject({ succeeded: 20, skipped: 10, failed: 0, requests: 20 });
    expect(summary.skippedQueries.map((query) => query.index)).toHaveLength(10);
  });

  it("retries count against the cap: a 503 and its retry are two requests", async () => {
    const clock = new FakeClock();
    const { run } = await collector(clock, {
      BATCH_REQUESTS_PER_SECOND: "1000",
      BATCH_MAX_REQUESTS: "3",
      BATCH_CONCURRENCY: "1",
    });
    stack?.emulator.fault("search", { kind: "status", status: 503 }, 1);

    const summary = await run(3);

    expect(searchTimes()).toHaveLength(3);
    expect(summary).toMatchObject({ succeeded: 2, skipped: 1, requests: 3 });
  });
});

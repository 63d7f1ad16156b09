import { afterEach, describe, expect, it } from "vitest";
import { collect } from "../../../lib/batch/collect.ts";
import { parseScheduledEvent } from "../../../lib/batch/scheduled-event.ts";
import { Deadline } from "../../../lib/deadline.ts";
import { collectorWithClock } from "../../support/collector.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe("the batch waits longer than an API caller", () => {
  it("a Retry-After beyond the API's cap but within BATCH_MAX_WAIT_SECONDS is waited out", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const collector = collectorWithClock(stack, clock);
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "25" });
    const run = parseScheduledEvent(
      {
        queries: [
          { q: "a", type: "track" },
          { q: "b", type: "album" },
        ],
      },
      new Date(clock.now()),
    );

    const summary = await collect(run, new Deadline(clock.now() + 290_000, clock), collector);

    expect(summary).toMatchObject({ succeeded: 2, failed: 0 });
    const searches = stack.emulator.requests.filter((r) => r.endpoint === "search");
    const limited = searches.find((r) => r.status === 429);
    for (const later of searches.filter((r) => r.receivedAt > (limited?.receivedAt ?? 0))) {
      expect(later.receivedAt - (limited?.receivedAt ?? 0)).toBeGreaterThanOrEqual(25_000);
    }
  });
});

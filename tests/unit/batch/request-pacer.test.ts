import { describe, expect, it } from "vitest";
import { PacingStop, RequestPacer } from "../../../lib/batch/request-pacer.ts";
import { Deadline } from "../../../lib/deadline.ts";
import { FakeClock } from "../../support/fake-clock.ts";

/** Sends `count` requests through the pacer as `workers` concurrent callers; their send times. */
async function send(
  pacer: RequestPacer,
  clock: FakeClock,
  deadline: Deadline,
  count: number,
  workers = 1,
) {
  const sentAt: number[] = [];
  const stops: PacingStop[] = [];
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      try {
        const turn = await pacer.acquire(deadline);
        sentAt.push(clock.now());
        turn.sent();
      } catch (error) {
        if (!(error instanceof PacingStop)) throw error;
        stops.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return { sentAt, stops };
}

function mostInAnySecond(times: readonly number[]): number {
  return Math.max(
    0,
    ...times.map((start) => times.filter((t) => t >= start && t < start + 1000).length),
  );
}

describe("RequestPacer", () => {
  it("5 per second: 50 requests take 9.8 s and never more than 5 start in any second", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer(clock, { requestsPerSecond: 5, maxRequests: 1000 });
    const started = clock.now();

    const { sentAt } = await send(pacer, clock, new Deadline(started + 60_000, clock), 50, 4);

    expect(sentAt).toHaveLength(50);
    expect((sentAt.at(-1) ?? 0) - started).toBeGreaterThanOrEqual(9_800);
    expect(mostInAnySecond(sentAt)).toBe(5);
    expect(pacer.requests).toBe(50);
  });

  it("stops at the request cap: the 21st request is refused, whatever the concurrency", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer(clock, { requestsPerSecond: 1000, maxRequests: 20 });

    const { sentAt, stops } = await send(
      pacer,
      clock,
      new Deadline(clock.now() + 60_000, clock),
      30,
      4,
    );

    expect(sentAt).toHaveLength(20);
    expect(stops.map((stop) => stop.reason)).toEqual(Array(10).fill("request-cap"));
    expect(pacer.exhausted).toBe(true);
  });

  it("a turn given back unsent is not counted and does not delay the next", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer(clock, { requestsPerSecond: 1, maxRequests: 2 });
    const deadline = new Deadline(clock.now() + 60_000, clock);

    (await pacer.acquire(deadline)).release();
    (await pacer.acquire(deadline)).sent();

    expect(pacer.requests).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("never sleeps past the deadline: a turn that leaves no time for the attempt ends the run", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer(clock, { requestsPerSecond: 1, maxRequests: 1000 });
    const deadline = new Deadline(clock.now() + 3_500, clock);

    const { sentAt, stops } = await send(pacer, clock, deadline, 10, 2);

    expect(sentAt.length).toBe(4);
    expect(stops.every((stop) => stop.reason === "deadline")).toBe(true);
    expect(clock.now()).toBeLessThanOrEqual(deadline.at);
  });
});

import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../lib/clock.ts";

// vitest's fake timers stand in for setTimeout and Date: no test here waits for real time.
beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 26, 12) });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Whether the promise has settled yet, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe("systemClock.now", () => {
  it("is the wall clock in epoch milliseconds", () => {
    expect(systemClock.now()).toBe(Date.UTC(2026, 10, 26, 12));

    vi.advanceTimersByTime(1_500);

    expect(systemClock.now()).toBe(Date.UTC(2026, 10, 26, 12) + 1_500);
  });
});

describe("systemClock.sleep", () => {
  it("resolves once the time has passed, not before", async () => {
    const sleeping = systemClock.sleep(1_000);

    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(sleeping)).toBe(false);

    await vi.advanceTimersByTimeAsync(1);
    await expect(sleeping).resolves.toBeUndefined();
  });

  it("rejects with the signal's reason when aborted, and leaves no timer behind", async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    const reason = new Error("the deadline passed");

    controller.abort(reason);

    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects at once, starting no timer, when the signal has already aborted", async () => {
    const reason = new Error("already over");

    const sleeping = systemClock.sleep(60_000, AbortSignal.abort(reason));

    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an abort after the sleep has ended changes nothing", async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(100, controller.signal);
    await vi.advanceTimersByTimeAsync(100);
    await expect(sleeping).resolves.toBeUndefined();

    controller.abort(new Error("too late"));

    await expect(sleeping).resolves.toBeUndefined();
  });

  it("an ended sleep stops listening to the signal, so one signal can serve many sleeps", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) {
      const sleeping = systemClock.sleep(10, controller.signal);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(10);
      await sleeping;
    }

    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

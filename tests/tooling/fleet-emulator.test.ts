import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../infra/local/emulator/server.ts";
import { admin, fakeClock, search } from "./emulator/helpers.ts";

// The emulator's one-off lockout: what the fleet simulation's mode 4 sets to sit out one window.

const clock = fakeClock();
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ now: clock.now });
});
afterAll(() => emulator.close());
// A fresh quota and recording for each case; a token minted without a request.
beforeEach(() => emulator.reset());

const searchOnce = () => search(emulator, "q=BTS&type=track", emulator.issueToken());

describe("a quota that trips once", () => {
  it("refuses for its window, then admits every search for the rest of the run", async () => {
    // Prepare
    emulator.setQuota({ maxRequests: 1, retryAfterSeconds: 5, once: true });
    await searchOnce();
    const tripped = await searchOnce();
    clock.advance(5000);
    // Act
    const after = [];
    for (let i = 0; i < 5; i++) after.push((await searchOnce()).status);
    // Assess
    expect(tripped.status).toBe(429);
    expect(tripped.headers.get("retry-after")).toBe("5");
    expect(after).toEqual([200, 200, 200, 200, 200]);
  });

  it("takes `once` through the admin API and refuses anything but a boolean", async () => {
    // Act
    const set = await admin(emulator, "/quota", {
      maxRequests: 0,
      retryAfterSeconds: 2,
      once: true,
    });
    const wrong = await admin(emulator, "/quota", {
      maxRequests: 0,
      retryAfterSeconds: 2,
      once: "yes",
    });
    const first = await searchOnce();
    clock.advance(2000);
    const second = await searchOnce();
    // Assess
    expect(set.status).toBe(200);
    expect(wrong.status).toBe(400);
    expect(first.status).toBe(429);
    expect(second.status).toBe(200);
  });
});

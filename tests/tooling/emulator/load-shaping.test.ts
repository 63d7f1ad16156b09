import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../../infra/local/emulator/server.ts";
import { type ApiError, admin, fakeClock, json, search, token } from "./helpers.ts";

// Latency, the rolling window that counts refused requests, and the scaled-down daily quota:
// what the fleet simulation (infra/bench/fleet) sets to make the emulator behave like Spotify
// under load.

const clock = fakeClock();
let emulator: Emulator;
let accessToken: string;

beforeAll(async () => {
  emulator = await startEmulator({ now: clock.now });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.reset();
  accessToken = await token(emulator);
  emulator.reset();
});

const searchOnce = () => search(emulator, "q=BTS&type=track", accessToken);

describe("rolling window that counts refused requests", () => {
  it("keeps a client that calls during its Retry-After refused for longer", async () => {
    // Prepare
    emulator.setRateLimit({ windowMs: 2000, maxRequests: 2, countRejected: true });
    await searchOnce();
    clock.advance(500);
    await searchOnce();
    clock.advance(500);
    // Act
    const refused = await searchOnce();
    clock.advance(1000);
    const afterRetryAfter = await searchOnce();
    // Assess
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    // The first request has left; without counting the refusal this one would be admitted.
    expect(afterRetryAfter.status).toBe(429);
    expect(afterRetryAfter.headers.get("retry-after")).toBe("1");
  });

  it("admits again once the window has room, refusals included", async () => {
    // Prepare
    emulator.setRateLimit({ windowMs: 1000, maxRequests: 1, countRejected: true });
    await searchOnce();
    await searchOnce();
    // Act
    clock.advance(1000);
    const admitted = await searchOnce();
    // Assess
    expect(admitted.status).toBe(200);
  });

  it("leaves the classic window unchanged when countRejected is absent", async () => {
    // Prepare
    emulator.setRateLimit({ windowMs: 2000, maxRequests: 1 });
    await searchOnce();
    await searchOnce();
    clock.advance(2000);
    // Act
    const admitted = await searchOnce();
    // Assess
    expect(admitted.status).toBe(200);
  });

  it("accepts countRejected through the admin API and refuses a non-boolean", async () => {
    // Act
    const good = await admin(emulator, "/rate-limit", {
      windowMs: 1000,
      maxRequests: 0,
      countRejected: true,
    });
    const bad = await admin(emulator, "/rate-limit", {
      windowMs: 1000,
      maxRequests: 0,
      countRejected: "yes",
    });
    // Assess
    expect(good.status).toBe(200);
    expect((await searchOnce()).status).toBe(429);
    expect(bad.status).toBe(400);
  });
});

describe("daily quota scaled down", () => {
  it("answers QUOTA_EXCEEDED with a counting-down Retry-After after maxRequests searches", async () => {
    // Prepare
    emulator.setQuota({ maxRequests: 2, retryAfterSeconds: 60 });
    const admitted = [(await searchOnce()).status, (await searchOnce()).status];
    // Act
    const tripped = await searchOnce();
    clock.advance(10_500);
    const later = await searchOnce();
    // Assess
    expect(admitted).toEqual([200, 200]);
    expect(tripped.status).toBe(429);
    expect(tripped.headers.get("retry-after")).toBe("60");
    expect(await json<ApiError>(tripped)).toEqual({
      error: { status: 429, message: "Too many requests", reason: "QUOTA_EXCEEDED" },
    });
    expect(later.headers.get("retry-after")).toBe("50");
  });

  it("starts counting again when the quota period is over", async () => {
    // Prepare
    emulator.setQuota({ maxRequests: 1, retryAfterSeconds: 5 });
    await searchOnce();
    await searchOnce();
    clock.advance(5000);
    // Act
    const again = await searchOnce();
    const trippedAgain = await searchOnce();
    // Assess
    expect(again.status).toBe(200);
    expect(trippedAgain.status).toBe(429);
  });

  it("is checked before the rate window, so quota refusals do not fill it", async () => {
    // Prepare
    emulator.setQuota({ maxRequests: 0, retryAfterSeconds: 1 });
    emulator.setRateLimit({ windowMs: 10_000, maxRequests: 1, countRejected: true });
    await searchOnce();
    clock.advance(1000);
    // Act
    const admitted = await searchOnce();
    // Assess
    expect(admitted.status).toBe(429);
    expect(await json<ApiError>(admitted)).toMatchObject({ error: { reason: "QUOTA_EXCEEDED" } });
  });

  it("is set and lifted through the admin API; reset() lifts it too", async () => {
    // Act
    const set = await admin(emulator, "/quota", { maxRequests: 0, retryAfterSeconds: 30 });
    const limited = await searchOnce();
    const lifted = await fetch(`${emulator.adminUrl}/quota`, { method: "DELETE" });
    const free = await searchOnce();
    emulator.setQuota({ maxRequests: 0, retryAfterSeconds: 30 });
    emulator.reset();
    const afterReset = await searchOnce();
    const invalid = await admin(emulator, "/quota", { maxRequests: 1, retryAfterSeconds: 0 });
    // Assess
    expect(set.status).toBe(200);
    expect(limited.status).toBe(429);
    expect(lifted.status).toBe(200);
    expect(free.status).toBe(200);
    expect(afterReset.status).toBe(200);
    expect(invalid.status).toBe(400);
  });
});

describe("latency", () => {
  let slow: Emulator;
  beforeAll(async () => {
    // A real clock: latency is a real timer. Draws of 0 and 1 give minMs then maxMs.
    const draws = [0, 1];
    let next = 0;
    slow = await startEmulator({
      latency: { minMs: 40, maxMs: 80 },
      random: () => draws[next++ % draws.length] ?? 0,
    });
  });
  afterAll(() => slow.close());

  it("delays token and search answers by draws from the given random source", async () => {
    // Act
    const started = performance.now();
    const slowToken = await token(slow);
    const tokenMs = performance.now() - started;
    const searchStarted = performance.now();
    const answer = await search(slow, "q=BTS&type=track", slowToken);
    const searchMs = performance.now() - searchStarted;
    // Assess
    expect(answer.status).toBe(200);
    expect(tokenMs).toBeGreaterThanOrEqual(39);
    expect(searchMs).toBeGreaterThanOrEqual(79);
    const [tokenCall, searchCall] = slow.requests.slice(-2);
    expect((tokenCall?.answeredAt ?? 0) - (tokenCall?.receivedAt ?? 0)).toBeGreaterThanOrEqual(39);
    expect((searchCall?.answeredAt ?? 0) - (searchCall?.receivedAt ?? 0)).toBeGreaterThanOrEqual(
      79,
    );
  });

  it("does not delay admin requests or unknown paths", async () => {
    // Prepare
    slow.configure({ latency: { minMs: 5000, maxMs: 5000 } });
    // Act
    const started = performance.now();
    await fetch(`${slow.adminUrl}/faults`);
    await fetch(`${slow.url}/nowhere`);
    const elapsed = performance.now() - started;
    slow.configure({ latency: { minMs: 40, maxMs: 80 } });
    // Assess
    expect(elapsed).toBeLessThan(2500);
  });

  it("is configured and cleared through the admin API, and refuses bad bounds", async () => {
    // Act
    const set = await admin(emulator, "/config", { latency: { minMs: 5, maxMs: 10 } });
    const config = await json<{ latency: unknown }>(await admin(emulator, "/config"));
    const cleared = await admin(emulator, "/config", { latency: null });
    const bad = await admin(emulator, "/config", { latency: { minMs: 10, maxMs: 5 } });
    // Assess
    expect(set.status).toBe(200);
    expect(config.latency).toEqual({ minMs: 5, maxMs: 10 });
    expect(cleared.status).toBe(200);
    expect(emulator.config.latency).toBeNull();
    expect(bad.status).toBe(400);
  });

  it("refuses bad bounds at start", async () => {
    // Act & Assess
    await expect(startEmulator({ latency: { minMs: -1, maxMs: 5 } })).rejects.toThrow(RangeError);
  });
});

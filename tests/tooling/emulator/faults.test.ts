import { request } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, type Fault, startEmulator } from "../../../infra/local/emulator/server.ts";
import { type ApiError, fakeClock, json, requestToken, search, token } from "./helpers.ts";

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

type Endpoint = "token" | "search";
const ENDPOINTS: Endpoint[] = ["token", "search"];

function call(endpoint: Endpoint, init: RequestInit = {}): Promise<Response> {
  if (endpoint === "token") {
    return fetch(`${emulator.accountsUrl}/api/token`, {
      ...init,
      method: "POST",
      headers: { authorization: `Basic ${btoa("local-client-id:local-client-secret")}` },
      body: new URLSearchParams({ grant_type: "client_credentials" }),
    });
  }
  return search(emulator, "q=BTS&type=track", accessToken, init);
}

/** Raw response headers, to see the case Node wrote them in. */
function rawHeaders(path: string, headers: Record<string, string>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = request(`${emulator.url}${path}`, { headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.rawHeaders));
    });
    req.on("error", reject);
    req.end();
  });
}

describe.each(ENDPOINTS)("scripted faults on the %s endpoint", (endpoint) => {
  it("answers a queued status fault once, then normally", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "status", status: 503 });
    // Act
    const faulted = await call(endpoint);
    const normal = await call(endpoint);
    // Assess
    expect(faulted.status).toBe(503);
    expect(normal.status).toBe(200);
  });

  it("answers 502 Bad gateway. by default", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "status", status: 502 });
    // Act
    const response = await call(endpoint);
    // Assess
    const body = await response.json();
    if (endpoint === "search")
      expect(body).toEqual({ error: { status: 502, message: "Bad gateway." } });
    else expect(body).toMatchObject({ error: "server_error" });
  });

  it("answers a status fault with the given body and headers", async () => {
    // Prepare
    const fault: Fault = {
      kind: "status",
      status: 500,
      body: "<html>oops</html>",
      headers: { "X-A": "1" },
    };
    emulator.fault(endpoint, fault);
    // Act
    const response = await call(endpoint);
    // Assess
    expect(response.status).toBe(500);
    expect(response.headers.get("x-a")).toBe("1");
    expect(await response.text()).toBe("<html>oops</html>");
  });

  it("uses faults in FIFO order and each for its number of times", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "status", status: 500 }, 2);
    emulator.fault(endpoint, { kind: "status", status: 503 });
    // Act
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await call(endpoint)).status);
    // Assess
    expect(statuses).toEqual([500, 500, 503, 200]);
  });

  it("keeps a fault queued with times -1 until it is cleared", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "status", status: 500 }, -1);
    // Act
    const statuses = [(await call(endpoint)).status, (await call(endpoint)).status];
    emulator.clearFaults(endpoint);
    statuses.push((await call(endpoint)).status);
    // Assess
    expect(statuses).toEqual([500, 500, 200]);
  });

  it("answers a rate-limit fault with API rate limit exceeded and Retry-After", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "rate-limit", retryAfter: "abc" });
    // Act
    const response = await call(endpoint);
    // Assess
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("abc");
    expect(await response.json()).toEqual({
      error: { status: 429, message: "API rate limit exceeded" },
    });
    expect(emulator.requests.at(-1)).toMatchObject({ status: 429, retryAfter: "abc" });
  });

  it("answers a rate-limit fault with no Retry-After header and an empty body", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "rate-limit", retryAfter: null, emptyBody: true });
    // Act
    const response = await call(endpoint);
    // Assess
    expect(response.status).toBe(429);
    expect(response.headers.has("retry-after")).toBe(false);
    expect(await response.text()).toBe("");
  });

  it("answers a quota fault with QUOTA_EXCEEDED and a day-long Retry-After", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "quota" });
    // Act
    const response = await call(endpoint);
    // Assess
    expect(response.headers.get("retry-after")).toBe("86400");
    expect(await response.json()).toEqual({
      error: { status: 429, message: "Too many requests", reason: "QUOTA_EXCEEDED" },
    });
  });

  it("resets the connection so fetch rejects", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "reset" });
    // Act
    const outcome = call(endpoint);
    // Assess
    await expect(outcome).rejects.toThrow(TypeError);
    expect(emulator.requests.at(-1)).toMatchObject({ endpoint, status: 0 });
    expect((await call(endpoint)).status).toBe(200);
  });

  it("hangs until the client aborts", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "hang" });
    // Act
    const outcome = call(endpoint, { signal: AbortSignal.timeout(200) });
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: "TimeoutError" });
    expect(emulator.requests.at(-1)).toMatchObject({ endpoint, status: 0 });
  });

  it("answers 200 with a body that is not JSON", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "malformed-json" });
    // Act
    const response = await call(endpoint);
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it("delays the normal answer by the given milliseconds", async () => {
    // Prepare
    emulator.fault(endpoint, { kind: "delay", ms: 150 });
    const started = performance.now();
    // Act
    const response = await call(endpoint);
    // Assess
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("faults specific to one endpoint", () => {
  it("answers 403 with the Premium message for a search status 403 fault", async () => {
    // Prepare
    emulator.fault("search", { kind: "status", status: 403 });
    // Act
    const response = await call("search");
    // Assess
    expect((await json<ApiError>(response)).error.message).toMatch(
      /^Active premium subscription required/,
    );
  });

  it("writes a lower-case retry-after header when asked", async () => {
    // Prepare
    emulator.fault("search", { kind: "rate-limit", retryAfter: "0", lowerCaseHeader: true });
    // Act
    const raw = await rawHeaders("/v1/search?q=a&type=track", {
      authorization: `Bearer ${accessToken}`,
    });
    // Assess
    expect(raw).toContain("retry-after");
    expect(raw).not.toContain("Retry-After");
    expect(raw[raw.indexOf("retry-after") + 1]).toBe("0");
  });

  it("answers an unauthorized fault with 401 and invalidates the presented token", async () => {
    // Prepare
    emulator.fault("search", { kind: "unauthorized" });
    // Act
    const faulted = await call("search");
    const again = await call("search");
    // Assess
    expect(faulted.status).toBe(401);
    expect(again.status).toBe(401);
    expect(emulator.requests.at(-1)?.tokenUsed).toBe(accessToken);
  });

  it("answers an unauthorized token fault with invalid_client", async () => {
    // Prepare
    emulator.fault("token", { kind: "unauthorized" });
    // Act
    const response = await requestToken(emulator);
    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_client",
      error_description: "Invalid client",
    });
  });

  it("applies search faults before authentication", async () => {
    // Prepare
    emulator.fault("search", { kind: "status", status: 500 });
    // Act
    const response = await search(emulator, "q=a&type=track", null);
    // Assess
    expect(response.status).toBe(500);
  });
});

describe("revoking tokens", () => {
  it("makes every token issued so far answer 401, while new ones work", async () => {
    // Prepare
    const older = await token(emulator);
    // Act
    emulator.revokeTokens();
    const fresh = await token(emulator);
    // Assess
    expect((await search(emulator, "q=a&type=track", accessToken)).status).toBe(401);
    expect((await search(emulator, "q=a&type=track", older)).status).toBe(401);
    expect((await search(emulator, "q=a&type=track", fresh)).status).toBe(200);
  });
});

describe("rolling rate-limit window on search", () => {
  it("answers 429 past maxRequests with Retry-After until the oldest request leaves", async () => {
    // Prepare
    emulator.setRateLimit({ windowMs: 1000, maxRequests: 5 });
    const statuses = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await call("search")).status);
      clock.advance(100);
    }
    // Act
    const limited = await call("search");
    clock.advance(499);
    const stillLimited = await call("search");
    clock.advance(1);
    const admitted = await call("search");
    // Assess
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(await limited.json()).toEqual({
      error: { status: 429, message: "API rate limit exceeded" },
    });
    expect(stillLimited.status).toBe(429);
    expect(admitted.status).toBe(200);
  });

  it("rounds Retry-After up to whole seconds for longer windows", async () => {
    // Prepare
    emulator.setRateLimit({ windowMs: 30_000, maxRequests: 1 });
    await call("search");
    clock.advance(10_500);
    // Act
    const limited = await call("search");
    // Assess
    expect(limited.headers.get("retry-after")).toBe("20");
    expect(emulator.requests.at(-1)?.retryAfter).toBe("20");
  });

  it("counts neither token requests nor unauthenticated searches", async () => {
    // Prepare
    emulator.setRateLimit({ windowMs: 1000, maxRequests: 1 });
    // Act
    await requestToken(emulator);
    await search(emulator, "q=a&type=track", "bad-token");
    const response = await call("search");
    // Assess
    expect(response.status).toBe(200);
  });

  it("is lifted by setRateLimit(null) and by reset", async () => {
    // Prepare
    emulator.setRateLimit({ windowMs: 60_000, maxRequests: 0 });
    const limited = await call("search");
    // Act
    emulator.setRateLimit(null);
    const lifted = await call("search");
    // Assess
    expect(limited.status).toBe(429);
    expect(lifted.status).toBe(200);
  });
});

describe("closing", () => {
  it("closes promptly while a request hangs and makes that request fail", async () => {
    // Prepare
    const own = await startEmulator();
    own.fault("search", { kind: "hang" });
    const hanging = fetch(`${own.apiUrl}/search?q=a&type=track`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    // Act
    await own.close();
    // Assess
    expect(performance.now() - started).toBeLessThan(500);
    await expect(hanging).rejects.toThrow(TypeError);
  });

  it("closes promptly while a delay fault is pending", async () => {
    // Prepare
    const own = await startEmulator();
    own.fault("token", { kind: "delay", ms: 60_000 });
    const delayed = fetch(`${own.accountsUrl}/api/token`, { method: "POST" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    // Act
    await own.close();
    // Assess
    expect(performance.now() - started).toBeLessThan(500);
    await expect(delayed).rejects.toThrow(TypeError);
  });
});

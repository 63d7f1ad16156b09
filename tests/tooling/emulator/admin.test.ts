import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Emulator,
  type RecordedRequest,
  startEmulator,
} from "../../../infra/local/emulator/server.ts";
import {
  type ApiError,
  admin,
  basic,
  json,
  requestToken,
  search,
  type TokenBody,
  token,
} from "./helpers.ts";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

interface RequestsView {
  count: number;
  counts: Record<string, number>;
  requests: RecordedRequest[];
}

describe("recording", () => {
  it("records every request in arrival order with decoded query and raw headers", async () => {
    // Prepare
    const accessToken = await token(emulator);
    // Act
    await search(emulator, "q=daft+punk&type=track&q=second", accessToken);
    await fetch(`${emulator.url}/nowhere`);
    // Assess
    const [tokenCall, searchCall, other] = emulator.requests;
    expect(emulator.requests).toHaveLength(3);
    expect(tokenCall).toMatchObject({
      endpoint: "token",
      method: "POST",
      path: "/api/token",
      body: "grant_type=client_credentials",
      status: 200,
    });
    expect(tokenCall?.headers.authorization).toBe(basic());
    expect(searchCall).toMatchObject({
      endpoint: "search",
      method: "GET",
      query: { q: "daft punk", type: "track" },
      rawUrl: "/v1/search?q=daft+punk&type=track&q=second",
      status: 200,
      tokenUsed: accessToken,
    });
    expect(searchCall?.receivedAt).toBeGreaterThanOrEqual(tokenCall?.receivedAt ?? 0);
    expect(other).toMatchObject({ endpoint: "other", status: 404 });
  });

  it("counts requests per endpoint", async () => {
    // Prepare
    const accessToken = await token(emulator);
    // Act
    await search(emulator, "q=a&type=track", accessToken);
    await search(emulator, "q=a&type=track", null);
    // Assess
    expect(emulator.count("token")).toBe(1);
    expect(emulator.count("search")).toBe(2);
    expect(emulator.count("other")).toBe(0);
    expect(emulator.count()).toBe(3);
  });

  it("forgets recorded requests on reset", async () => {
    // Prepare
    await requestToken(emulator);
    // Act
    emulator.reset();
    // Assess
    expect(emulator.requests).toHaveLength(0);
  });
});

describe("admin HTTP API under /__emulator", () => {
  it("queues faults with times", async () => {
    // Prepare
    const fault = { kind: "status", status: 502 };
    // Act
    const response = await admin(emulator, "/faults", { endpoint: "token", fault, times: 2 });
    // Assess
    expect(response.status).toBe(200);
    expect((await requestToken(emulator)).status).toBe(502);
    expect((await requestToken(emulator)).status).toBe(502);
    expect((await requestToken(emulator)).status).toBe(200);
  });

  it("lists pending faults with -1 for until-cleared ones and clears them with DELETE", async () => {
    // Prepare
    await admin(emulator, "/faults", { endpoint: "search", fault: { kind: "hang" }, times: -1 });
    // Act
    const listed = await (await admin(emulator, "/faults")).json();
    await fetch(`${emulator.adminUrl}/faults`, { method: "DELETE" });
    // Assess
    expect(listed).toEqual({ token: [], search: [{ fault: { kind: "hang" }, remaining: -1 }] });
    expect(emulator.pendingFaults("search")).toEqual([]);
  });

  it.each([
    [{ endpoint: "nope", fault: { kind: "reset" } }],
    [{ endpoint: "search", fault: { kind: "explode" } }],
    [{ endpoint: "search", fault: { kind: "delay" } }],
    [{ endpoint: "search", fault: { kind: "reset" }, times: 0 }],
    [null],
  ])("answers 400 to an invalid fault %j", async (body) => {
    // Prepare / Act
    const response = await admin(emulator, "/faults", body);
    // Assess
    expect(response.status).toBe(400);
    expect((await json<ApiError>(response)).error.status).toBe(400);
  });

  it("sets and lifts the rate limit", async () => {
    // Prepare
    const accessToken = await token(emulator);
    await admin(emulator, "/rate-limit", { windowMs: 60_000, maxRequests: 0 });
    // Act
    const limited = await search(emulator, "q=a&type=track", accessToken);
    await admin(emulator, "/rate-limit", null);
    const lifted = await search(emulator, "q=a&type=track", accessToken);
    // Assess
    expect(limited.status).toBe(429);
    expect(lifted.status).toBe(200);
  });

  it("revokes tokens", async () => {
    // Prepare
    const accessToken = await token(emulator);
    // Act
    await admin(emulator, "/revoke-tokens", {});
    // Assess
    expect((await search(emulator, "q=a&type=track", accessToken)).status).toBe(401);
  });

  it("changes the configuration and shows it without the secret", async () => {
    // Prepare
    const patch = {
      profile: "extended",
      tokenLifetimeSeconds: 5,
      clientId: "id-2",
      clientSecret: "secret-2",
    };
    // Act
    await admin(emulator, "/config", patch);
    const shown = await (await admin(emulator, "/config")).json();
    const issued = await json<TokenBody>(
      await requestToken(emulator, { authorization: basic("id-2", "secret-2") }),
    );
    // Assess
    expect(shown).toEqual({
      profile: "extended",
      tokenLifetimeSeconds: 5,
      clientId: "id-2",
      legacy401Messages: false,
      latency: null,
    });
    expect(issued.expires_in).toBe(5);
  });

  it("resets everything", async () => {
    // Prepare
    await admin(emulator, "/config", { profile: "extended" });
    await admin(emulator, "/faults", { endpoint: "token", fault: { kind: "reset" } });
    await requestToken(emulator, { authorization: "" }).catch(() => undefined);
    // Act
    await admin(emulator, "/reset", {});
    // Assess
    expect(emulator.config.profile).toBe("development");
    expect(emulator.pendingFaults("token")).toEqual([]);
    expect(emulator.requests).toHaveLength(0);
  });

  it("lists recorded requests and counts with the Authorization value and secrets redacted", async () => {
    // Prepare
    const accessToken = await token(emulator);
    await search(emulator, "q=a&type=track", accessToken);
    const body = "grant_type=client_credentials&client_id=local-client-id&client_secret=s3cret";
    await requestToken(emulator, { authorization: "", body });
    // Act
    const response = await admin(emulator, "/requests");
    const text = await response.text();
    // Assess
    const view = JSON.parse(text) as RequestsView;
    expect(view.count).toBe(3);
    expect(view.counts).toEqual({ token: 2, search: 1, other: 0 });
    expect(view.requests[0]?.headers.authorization).toBe("[redacted]");
    expect(view.requests[1]?.headers.authorization).toBe("[redacted]");
    expect(view.requests[2]?.body).toBe(
      "grant_type=client_credentials&client_id=local-client-id&client_secret=[redacted]",
    );
    expect(text).not.toContain(basic());
    expect(text).not.toContain("s3cret");
    expect(emulator.requests[0]?.headers.authorization).toBe(basic());
  });

  it("filters recorded requests by endpoint", async () => {
    // Prepare
    await requestToken(emulator);
    await search(emulator, "q=a&type=track", null);
    // Act
    const view = (await (
      await admin(emulator, "/requests?endpoint=search")
    ).json()) as RequestsView;
    // Assess
    expect(view.count).toBe(1);
    expect(view.requests[0]?.endpoint).toBe("search");
  });

  it("does not record admin requests and answers 404/405 to unknown admin routes", async () => {
    // Prepare / Act
    const unknown = await admin(emulator, "/nope");
    const wrongMethod = await fetch(`${emulator.adminUrl}/reset`);
    // Assess
    expect(unknown.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(emulator.requests).toHaveLength(0);
  });
});

import { describe, expect, it } from "vitest";
import { loadSpotifyConfig, type RetrySettings } from "../../../lib/config.ts";
import { Deadline } from "../../../lib/deadline.ts";
import { CooldownError, UpstreamError } from "../../../lib/errors.ts";
import { Cooldown } from "../../../lib/spotify/cooldown.ts";
import type { CooldownRecord } from "../../../lib/spotify/cooldown-store.ts";
import { FleetCooldown } from "../../../lib/spotify/fleet-cooldown.ts";
import type { AttemptResult, Transport } from "../../../lib/spotify/http-transport.ts";
import { type Endpoint, SpotifyCaller } from "../../../lib/spotify/spotify-caller.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { MemoryCooldownStore, MemoryCooldownTable } from "../../support/memory-stores.ts";
import { observed } from "../../support/observed.ts";
import { spotifyAnswer } from "../../support/spotify-answers.ts";

const API = "https://api.spotify.com/v1";
const ACCOUNTS = "https://accounts.spotify.com";
const settings: RetrySettings = { ...loadSpotifyConfig({ SPOTIFY_SECRET_ID: "s" }).retry };

/** One container joined to the fleet's record, with Spotify scripted attempt by attempt. */
function containerOf(table: MemoryCooldownTable, clock: FakeClock, script: AttemptResult[]) {
  const sent: { url: string; record: CooldownRecord | undefined }[] = [];
  const transport: Transport = async (request) => {
    // What the fleet's record said at the moment the request left.
    sent.push({ url: request.url, record: table.record() });
    const result = script[Math.min(sent.length, script.length) - 1];
    if (!result) throw new Error("Spotify was not expected to be called");
    return result;
  };
  const cooldown = new Cooldown();
  const store = new MemoryCooldownStore(table, clock);
  const fleet = new FleetCooldown({ store, cooldown, clock, settings });
  const seen = observed();
  const caller = new SpotifyCaller({
    transport,
    clock,
    random: () => 0,
    settings,
    cooldown,
    fleet,
    log: seen.log,
    metrics: seen.metrics,
  });
  const call = (endpoint: Endpoint, options: { maxRetryAfterMs?: number } = {}) =>
    caller.call({
      endpoint,
      deadline: new Deadline(clock.now() + 20_000, clock),
      build: async () =>
        endpoint === "token"
          ? { method: "POST", url: `${ACCOUNTS}/api/token`, headers: {}, body: "grant_type=x" }
          : { method: "GET", url: `${API}/search?q=a&type=track`, headers: {} },
      ...options,
    });
  return { call, sent, cooldown, store, seen };
}

/** A fleet whose record holds a window another container heard of, ended `agoMs` ago. */
async function afterWindow(agoMs = 0) {
  const clock = new FakeClock();
  const table = new MemoryCooldownTable();
  const other = new MemoryCooldownStore(table, clock);
  const window = clock.now() + 1_000;
  await other.announce(window, undefined);
  clock.advance(1_000 + agoMs);
  return { clock, table, window };
}

describe("SpotifyCaller after a fleet-wide window", () => {
  it("a token request is not the probe: it takes no lease, records no success and settles nothing", async () => {
    const { clock, table } = await afterWindow();
    const token = { access_token: "t", token_type: "Bearer", expires_in: 3600 };
    const { call, sent, cooldown } = containerOf(table, clock, [spotifyAnswer(200, token)]);

    const delivered = await call("token");

    expect(delivered.status).toBe(200);
    expect(sent[0]?.record?.probeOwner).toBeUndefined();
    expect(table.record()).toMatchObject({ settled: false, probeOwner: undefined });
    // Still owed a probe: this container's next search goes first.
    expect(cooldown.startProbe()).toBeDefined();
  });

  it("the first search is the probe: it holds the lease while it is out, and its answer settles the window", async () => {
    const { clock, table } = await afterWindow();
    const { call, sent } = containerOf(table, clock, [spotifyAnswer(200, { tracks: {} })]);

    await call("search");

    expect(sent[0]?.record?.probeOwner).toEqual(expect.any(String));
    expect(table.record()).toMatchObject({ settled: true, probeOwner: undefined });
  });

  it("a probe answered 5xx keeps its lease through the retry and settles only on the 200", async () => {
    const { clock, table } = await afterWindow();
    const { call, sent } = containerOf(table, clock, [
      spotifyAnswer(503),
      spotifyAnswer(200, { tracks: {} }),
    ]);

    await call("search");

    expect(sent.map((s) => s.record?.settled)).toEqual([false, false]);
    expect(sent[1]?.record?.probeOwner).toBe(sent[0]?.record?.probeOwner);
    expect(sent[1]?.record?.probeOwner).toBeDefined();
    expect(table.record()?.settled).toBe(true);
  });

  it("a probe's own 4xx (Spotify answered) also settles the window", async () => {
    const { clock, table } = await afterWindow();
    const { call } = containerOf(table, clock, [spotifyAnswer(404, { error: { status: 404 } })]);

    expect((await call("search")).status).toBe(404);
    expect(table.record()?.settled).toBe(true);
  });

  it("a probe answered 429 does not settle: the new window replaces the record", async () => {
    const { clock, table } = await afterWindow();
    const { call } = containerOf(table, clock, [spotifyAnswer(429, {}, { "retry-after": "60" })]);

    await expect(call("search")).rejects.toMatchObject({ status: 429 });
    expect(table.record()).toMatchObject({ until: clock.now() + 60_000, settled: false });
  });
});

describe("SpotifyCaller reads the fleet's record before each request", () => {
  it("a window another container announced is answered 429 at once when it is longer than the wait cap", async () => {
    const clock = new FakeClock();
    const table = new MemoryCooldownTable();
    await new MemoryCooldownStore(table, clock).announce(clock.now() + 60_000, "QUOTA_EXCEEDED");
    const { call, sent } = containerOf(table, clock, [spotifyAnswer(200, { tracks: {} })]);

    const failed = call("search");

    await expect(failed).rejects.toBeInstanceOf(CooldownError);
    await expect(failed).rejects.toMatchObject({
      status: 429,
      retryAfterSeconds: 60,
      reason: "QUOTA_EXCEEDED",
    });
    expect(sent).toHaveLength(0);
  });

  it("a short window another container announced is waited out, then this search probes and settles it", async () => {
    const clock = new FakeClock();
    const table = new MemoryCooldownTable();
    await new MemoryCooldownStore(table, clock).announce(clock.now() + 3_000, undefined);
    const { call, sent } = containerOf(table, clock, [spotifyAnswer(200, { tracks: {} })]);

    await call("search");

    expect(clock.sleeps).toEqual([3_000]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.record?.probeOwner).toBeDefined();
    expect(table.record()?.settled).toBe(true);
  });

  it("with the fleet's store unavailable, the container's own cooldown decides and the search goes", async () => {
    const clock = new FakeClock();
    const table = new MemoryCooldownTable();
    await new MemoryCooldownStore(table, clock).announce(clock.now() + 60_000, undefined);
    table.available = false;
    const { call, sent } = containerOf(table, clock, [spotifyAnswer(200, { tracks: {} })]);

    await call("search");

    expect(sent).toHaveLength(1);
  });
});

describe("SpotifyCaller's limits", () => {
  it("with maxRetryAfterMs 0, a 429 fails at once, and its window is announced to the fleet", async () => {
    const clock = new FakeClock();
    const table = new MemoryCooldownTable();
    const { call, sent } = containerOf(table, clock, [
      spotifyAnswer(429, {}, { "retry-after": "2" }),
      spotifyAnswer(200, { tracks: {} }),
    ]);

    await expect(call("search", { maxRetryAfterMs: 0 })).rejects.toMatchObject({
      status: 429,
      retryAfterSeconds: 2,
    });
    expect(sent).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(table.record()?.until).toBe(clock.now() + 2_000);
  });

  it("without it, the same 429 is waited out and retried", async () => {
    const clock = new FakeClock();
    const table = new MemoryCooldownTable();
    const { call, sent } = containerOf(table, clock, [
      spotifyAnswer(429, {}, { "retry-after": "2" }),
      spotifyAnswer(200, { tracks: {} }),
    ]);

    expect((await call("search")).status).toBe(200);
    expect(sent).toHaveLength(2);
    expect(clock.sleeps).toEqual([2_000]);
  });

  it("an answer over the body limit fails 502 at once, with Spotify's status, and is not retried", async () => {
    const clock = new FakeClock();
    const table = new MemoryCooldownTable();
    const tooLarge: AttemptResult = { kind: "too-large", status: 200, limitBytes: 1_024 };
    const { call, sent } = containerOf(table, clock, [
      tooLarge,
      spotifyAnswer(200, { tracks: {} }),
    ]);

    const failed = call("search");

    await expect(failed).rejects.toBeInstanceOf(UpstreamError);
    await expect(failed).rejects.toMatchObject({ status: 502, upstreamStatus: 200 });
    expect(sent).toHaveLength(1);
  });

  it("delivers the body exactly as Spotify sent it beside its parsed form", async () => {
    const clock = new FakeClock();
    const table = new MemoryCooldownTable();
    const { call } = containerOf(table, clock, [spotifyAnswer(200, { name: "Björk 🎵" })]);

    const delivered = await call("search");

    expect(delivered).toEqual({
      status: 200,
      body: { name: "Björk 🎵" },
      text: '{"name":"Björk 🎵"}',
    });
  });
});

import { describe, expect, it } from "vitest";
import { parseBatch } from "../../../lib/batch/parse-batch.ts";
import { RequestPacer } from "../../../lib/batch/request-pacer.ts";
import { type ResultLine, runBatch } from "../../../lib/batch/run-batch.ts";
import { loadSpotifyConfig, type RetrySettings } from "../../../lib/config.ts";
import { Deadline } from "../../../lib/deadline.ts";
import { Cooldown } from "../../../lib/spotify/cooldown.ts";
import { CredentialsProvider } from "../../../lib/spotify/credentials-provider.ts";
import { FleetCooldown } from "../../../lib/spotify/fleet-cooldown.ts";
import type { AttemptResult, TransportRequest } from "../../../lib/spotify/http-transport.ts";
import { SpotifyCaller } from "../../../lib/spotify/spotify-caller.ts";
import { SpotifyClient } from "../../../lib/spotify/spotify-client.ts";
import { TokenProvider } from "../../../lib/spotify/token-provider.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { MemoryCooldownStore, MemoryCooldownTable } from "../../support/memory-stores.ts";
import { observed } from "../../support/observed.ts";
import { spotifyAnswer } from "../../support/spotify-answers.ts";

const API = "https://api.spotify.com/v1";
const ACCOUNTS = "https://accounts.spotify.com";
/** The batch waits out rate-limit windows up to 30 s (the API's 10 s would do as well). */
const settings: RetrySettings = {
  ...loadSpotifyConfig({ SPOTIFY_SECRET_ID: "s" }).retry,
  maxRetryAfterMs: 30_000,
};
const MAX_LIMIT = 10;

/** A search of Spotify's shape: `total` results per type, a `next` link while more remain. */
function searchAnswer(url: URL, total: number): AttemptResult {
  const q = url.searchParams.get("q") ?? "";
  const limit = Number(url.searchParams.get("limit") ?? "2");
  const offset = Number(url.searchParams.get("offset") ?? "0");
  const body: Record<string, unknown> = {};
  for (const type of (url.searchParams.get("type") ?? "").split(",")) {
    const count = Math.max(0, Math.min(limit, total - offset));
    const next = new URL(`${API}/search`);
    next.search = new URLSearchParams({
      q,
      type,
      offset: String(offset + limit),
      limit: String(limit),
    }).toString();
    body[`${type}s`] = {
      href: url.href,
      items: Array.from({ length: count }, (_, i) => ({ name: `${q} ${type} ${offset + i}` })),
      limit,
      offset,
      total,
      next: offset + limit < total ? next.href : null,
    };
  }
  return spotifyAnswer(200, body);
}

interface Sent {
  url: URL;
  at: number;
}

type Script = (url: URL, clock: FakeClock) => AttemptResult | Promise<AttemptResult>;

/**
 * One container's real Spotify side (caller, credentials, token, client) whose only boundary is a
 * scripted transport: tokens are granted, searches answered by `script` (by default, 3 results
 * per type), every search attempt recorded with the fake clock's time.
 */
function containerOf(
  options: {
    script?: Script;
    cooldown?: Cooldown;
    fleet?: (cooldown: Cooldown, clock: FakeClock) => FleetCooldown;
    clock?: FakeClock;
  } = {},
) {
  const clock = options.clock ?? new FakeClock();
  const seen = observed();
  const searches: Sent[] = [];
  const tokenRequests: Sent[] = [];
  const events: string[] = [];
  const script = options.script ?? ((url) => searchAnswer(url, 3));
  const transport = async (request: TransportRequest): Promise<AttemptResult> => {
    const url = new URL(request.url);
    if (request.url === `${ACCOUNTS}/api/token`) {
      tokenRequests.push({ url, at: clock.now() });
      return spotifyAnswer(200, { access_token: "tok", token_type: "Bearer", expires_in: 3600 });
    }
    searches.push({ url, at: clock.now() });
    events.push(`send ${label(url)}`);
    return script(url, clock);
  };
  const cooldown = options.cooldown ?? new Cooldown();
  const caller = new SpotifyCaller({
    transport,
    clock,
    random: () => 0,
    settings,
    cooldown,
    fleet: options.fleet?.(cooldown, clock),
    log: seen.log,
    metrics: seen.metrics,
  });
  const credentials = new CredentialsProvider({
    read: async () => JSON.stringify({ client_id: "id", client_secret: "secret" }),
    secretId: "spotify",
    ttlMs: 300_000,
    clock,
    log: seen.log,
    metrics: seen.metrics,
  });
  const tokens = new TokenProvider({
    caller,
    credentials,
    accountsUrl: ACCOUNTS,
    clock,
    expiryMarginMs: 60_000,
    log: seen.log,
    metrics: seen.metrics,
  });
  const client = new SpotifyClient({ caller, tokens, apiUrl: API });
  const lines: ResultLine[] = [];
  let emit = async (line: ResultLine) => {
    lines.push(line);
    events.push(`emit ${line.query.q} p${line.page}`);
  };

  const run = (
    entries: unknown[],
    run: {
      concurrency?: number;
      budgetMs?: number;
      minTimeToStartMs?: number;
      requestsPerSecond?: number;
      maxRequests?: number;
    } = {},
  ) => {
    const { queries, invalid } = parseBatch(entries, "test batch", MAX_LIMIT);
    const pacer = new RequestPacer(clock, {
      requestsPerSecond: run.requestsPerSecond ?? 1_000,
      maxRequests: run.maxRequests ?? 1_000,
    });
    return runBatch(
      "run-1",
      queries,
      invalid,
      new Deadline(clock.now() + (run.budgetMs ?? 300_000), clock),
      { concurrency: run.concurrency ?? 2, minTimeToStartMs: run.minTimeToStartMs ?? 1_000, pacer },
      { client, clock, log: seen.log, metrics: seen.metrics, emit: (line) => emit(line) },
    );
  };
  return {
    clock,
    seen,
    searches,
    tokenRequests,
    events,
    lines,
    cooldown,
    run,
    /** Replaces the results sink. */
    sink: (next: (line: ResultLine) => Promise<void>) => {
      emit = next;
    },
  };
}

/** `q@offset`, how a search request reads in an event list. */
function label(url: URL): string {
  return `${url.searchParams.get("q")}@${url.searchParams.get("offset") ?? 0}`;
}

const entry = (q: string, extra: Record<string, unknown> = {}) => ({
  q,
  type: "track",
  limit: 2,
  ...extra,
});

/** Lets other promises and I/O callbacks run `ticks` times. */
async function yieldTurns(ticks: number): Promise<void> {
  for (let i = 0; i < ticks; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("runBatch runs the searches", () => {
  it("with at most `concurrency` searches out at once, and that many when there is work", async () => {
    let inFlight = 0;
    let most = 0;
    const batch = containerOf({
      script: async (url) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await yieldTurns(3);
        inFlight--;
        return searchAnswer(url, 1);
      },
    });

    const outcome = await batch.run(
      ["a", "b", "c", "d", "e", "f", "g"].map((q) => entry(q)),
      { concurrency: 3 },
    );

    expect(most).toBe(3);
    expect(outcome.succeeded).toBe(7);
    expect(batch.searches).toHaveLength(7);
  });

  it("hands every page to emit as it arrives, before the next page is asked for, in page order", async () => {
    const batch = containerOf({ script: (url) => searchAnswer(url, 6) });

    const outcome = await batch.run([entry("a", { pages: 3 })], { concurrency: 1 });

    expect(batch.events).toEqual([
      "send a@0",
      "emit a p1",
      "send a@2",
      "emit a p2",
      "send a@4",
      "emit a p3",
    ]);
    expect(outcome).toMatchObject({ pages: 3, succeeded: 1, items: 6 });
  });

  it("writes each line with the run id, the entry's index and search, and the fetch time", async () => {
    const batch = containerOf();

    await batch.run([entry("a"), entry("b", { market: "SE" })], { concurrency: 1 });

    expect(batch.lines[1]).toEqual({
      run_id: "run-1",
      query_index: 1,
      query: { q: "b", types: ["track"], market: "SE", limit: 2 },
      page: 1,
      fetched_at: new Date(batch.clock.now()).toISOString(),
      body: expect.objectContaining({ tracks: expect.objectContaining({ offset: 0 }) }),
    });
  });

  it("keeps each query's pages in order while queries run side by side", async () => {
    const batch = containerOf({
      script: async (url) => {
        // The second query answers faster, so the two interleave.
        await yieldTurns(url.searchParams.get("q") === "a" ? 4 : 1);
        return searchAnswer(url, 8);
      },
    });

    await batch.run([entry("a", { pages: 4 }), entry("b", { pages: 4 })], { concurrency: 2 });

    const pagesOf = (q: string) =>
      batch.lines.filter((line) => line.query.q === q).map((line) => line.page);
    expect(pagesOf("a")).toEqual([1, 2, 3, 4]);
    expect(pagesOf("b")).toEqual([1, 2, 3, 4]);
  });
});

describe("runBatch follows `next` links", () => {
  it("per type, each up to the entry's pages", async () => {
    const batch = containerOf({ script: (url) => searchAnswer(url, 10) });

    const outcome = await batch.run([entry("a", { type: "track,artist", pages: 3 })]);

    expect(batch.searches.map((sent) => sent.url.searchParams.get("type"))).toEqual([
      "track,artist",
      "track",
      "track",
      "artist",
      "artist",
    ]);
    expect(batch.searches.map((sent) => sent.url.searchParams.get("offset"))).toEqual([
      null,
      "2",
      "4",
      "2",
      "4",
    ]);
    expect(batch.lines.map((line) => line.page)).toEqual([1, 2, 3, 2, 3]);
    expect(outcome).toMatchObject({ pages: 5, succeeded: 1 });
  });

  it("stops at the last page when Spotify has fewer than the entry asked for", async () => {
    const batch = containerOf({ script: (url) => searchAnswer(url, 3) });

    const outcome = await batch.run([entry("a", { pages: 5 })]);

    expect(batch.searches).toHaveLength(2);
    expect(outcome).toMatchObject({ pages: 2, items: 3, succeeded: 1 });
  });

  it("fetches only the first page when the entry asks for one", async () => {
    const batch = containerOf({ script: (url) => searchAnswer(url, 10) });

    await batch.run([entry("a")]);

    expect(batch.searches).toHaveLength(1);
  });
});

describe("runBatch's pacer", () => {
  it("spaces the searches' requests by 1 / requestsPerSecond, whatever the concurrency", async () => {
    const batch = containerOf({ script: (url) => searchAnswer(url, 4) });

    await batch.run(
      ["a", "b", "c", "d"].map((q) => entry(q, { pages: 2 })),
      { concurrency: 3, requestsPerSecond: 2 },
    );

    const times = batch.searches.map((sent) => sent.at);
    expect(times).toHaveLength(8);
    const gaps = times.slice(1).map((at, i) => at - (times[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
  });

  it("at its request cap, skips the remaining queries with reason request-cap", async () => {
    const batch = containerOf();

    const outcome = await batch.run(
      ["a", "b", "c", "d", "e"].map((q) => entry(q)),
      { concurrency: 1, maxRequests: 3 },
    );

    expect(batch.searches).toHaveLength(3);
    // Skipped before asking the pacer for a turn it cannot give.
    expect(batch.seen.lines.map((line) => line.message)).not.toContain(
      "The pacer stopped a search",
    );
    expect(outcome.succeeded).toBe(3);
    expect(outcome.skipped).toEqual([
      { index: 3, q: "d", type: "track", reason: "request-cap" },
      { index: 4, q: "e", type: "track", reason: "request-cap" },
    ]);
  });

  it("a query the cap cut short keeps its pages and counts as succeeded", async () => {
    const batch = containerOf({ script: (url) => searchAnswer(url, 10) });

    const outcome = await batch.run([entry("a", { pages: 5 }), entry("b")], {
      concurrency: 1,
      maxRequests: 2,
    });

    expect(outcome).toMatchObject({ pages: 2, succeeded: 1 });
    expect(outcome.skipped).toEqual([{ index: 1, q: "b", type: "track", reason: "request-cap" }]);
    expect(batch.seen.lines).toContainEqual(
      expect.objectContaining({
        message: "Stopped following pages",
        details: { index: 0, pages: 2, reason: "request-cap" },
      }),
    );
  });
});

describe("runBatch and the deadline", () => {
  it("starts no search with less than minTimeToStartMs left, and reports the rest as skipped for the deadline", async () => {
    // Each search takes 2 s of the 5 s budget.
    const batch = containerOf({
      script: (url, clock) => {
        clock.advance(2_000);
        return searchAnswer(url, 1);
      },
    });

    const outcome = await batch.run(
      ["a", "b", "c", "d"].map((q) => entry(q)),
      { concurrency: 1, budgetMs: 5_000, minTimeToStartMs: 1_500 },
    );

    expect(batch.searches.map((sent) => label(sent.url))).toEqual(["a@0", "b@0"]);
    expect(outcome.succeeded).toBe(2);
    expect(outcome.skipped).toEqual([
      { index: 2, q: "c", type: "track", reason: "deadline" },
      { index: 3, q: "d", type: "track", reason: "deadline" },
    ]);
  });

  it("with too little time from the start, sends nothing", async () => {
    const batch = containerOf();

    const outcome = await batch.run([entry("a"), entry("b")], {
      budgetMs: 900,
      minTimeToStartMs: 1_000,
    });

    expect(batch.searches).toEqual([]);
    expect(batch.tokenRequests).toEqual([]);
    expect(outcome.skipped.map((query) => query.reason)).toEqual(["deadline", "deadline"]);
  });
});

describe("runBatch and rate-limit windows longer than the run may wait", () => {
  it("a fleet window another container announced skips every query as rate-limit-window, sending nothing", async () => {
    const clock = new FakeClock();
    const table = new MemoryCooldownTable();
    await new MemoryCooldownStore(table, clock).announce(clock.now() + 60_000, undefined);
    const batch = containerOf({
      clock,
      fleet: (cooldown) =>
        new FleetCooldown({
          store: new MemoryCooldownStore(table, clock),
          cooldown,
          clock,
          settings,
        }),
    });

    const outcome = await batch.run(["a", "b", "c"].map((q) => entry(q)));

    expect(batch.searches).toEqual([]);
    expect(batch.tokenRequests).toEqual([]);
    expect(outcome.succeeded).toBe(0);
    expect(outcome.failures).toEqual([]);
    expect(outcome.skipped).toEqual([
      { index: 0, q: "a", type: "track", reason: "rate-limit-window" },
      { index: 1, q: "b", type: "track", reason: "rate-limit-window" },
      { index: 2, q: "c", type: "track", reason: "rate-limit-window" },
    ]);
    expect(batch.seen.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message:
          "Skipped the rest of the batch: Spotify's rate-limit window outlasts the run's wait",
        details: expect.objectContaining({ retryAfterSeconds: 60, skipped: 3 }),
      }),
    );
  });

  it("the container's own cooldown beyond the run's wait does the same", async () => {
    const clock = new FakeClock();
    const cooldown = new Cooldown();
    cooldown.extend(clock.now() + 120_000, "QUOTA_EXCEEDED");
    const batch = containerOf({ clock, cooldown });

    const outcome = await batch.run([entry("a"), entry("b")], { concurrency: 1 });

    expect(batch.searches).toEqual([]);
    expect(outcome.skipped.map((query) => query.reason)).toEqual([
      "rate-limit-window",
      "rate-limit-window",
    ]);
    expect(batch.seen.lines).toContainEqual(
      expect.objectContaining({
        details: expect.objectContaining({ retryAfterSeconds: 120, reason: "QUOTA_EXCEEDED" }),
      }),
    );
  });

  it("a window that arrives mid-run skips the queries after it without asking again, and keeps what was fetched", async () => {
    const clock = new FakeClock();
    const cooldown = new Cooldown();
    const batch = containerOf({
      clock,
      cooldown,
      script: (url) => {
        // Another request of the container heard of a long window while "a" was out.
        if (label(url) === "a@0") cooldown.extend(clock.now() + 90_000);
        return searchAnswer(url, 1);
      },
    });

    const outcome = await batch.run([entry("a"), entry("b"), entry("c")], { concurrency: 1 });

    expect(batch.searches.map((sent) => label(sent.url))).toEqual(["a@0"]);
    // Only "b" met the window at the gate; "c" was skipped without asking again.
    expect(batch.seen.count("CooldownRejections")).toBe(1);
    expect(outcome).toMatchObject({ succeeded: 1, pages: 1, failures: [] });
    expect(outcome.skipped.map((query) => [query.q, query.reason])).toEqual([
      ["b", "rate-limit-window"],
      ["c", "rate-limit-window"],
    ]);
  });

  it("a window shorter than the run's wait is waited out, and every query runs", async () => {
    const clock = new FakeClock();
    const cooldown = new Cooldown();
    cooldown.extend(clock.now() + 20_000);
    const batch = containerOf({ clock, cooldown });

    const outcome = await batch.run([entry("a"), entry("b")], { concurrency: 1 });

    expect(outcome).toMatchObject({ succeeded: 2, skipped: [] });
    expect(clock.sleeps).toContain(20_000);
  });
});

describe("runBatch's failures", () => {
  it("a 4xx of one query is reported with Spotify's status and message, and the others succeed", async () => {
    const batch = containerOf({
      script: (url) =>
        url.searchParams.get("q") === "bad"
          ? spotifyAnswer(404, { error: { status: 404, message: "Non existing id" } })
          : searchAnswer(url, 1),
    });

    const outcome = await batch.run([entry("a"), entry("bad"), entry("c")]);

    expect(outcome.succeeded).toBe(2);
    expect(outcome.failures).toEqual([
      { index: 1, q: "bad", type: "track", status: 404, message: "Non existing id" },
    ]);
    expect(batch.lines.map((line) => line.query.q).sort()).toEqual(["a", "c"]);
  });

  it("a query Spotify keeps answering 5xx fails 502 after the retries, and the others succeed", async () => {
    const batch = containerOf({
      script: (url) =>
        url.searchParams.get("q") === "down" ? spotifyAnswer(503) : searchAnswer(url, 1),
    });

    const outcome = await batch.run([entry("down"), entry("b")], { concurrency: 1 });

    expect(outcome.succeeded).toBe(1);
    expect(outcome.failures).toEqual([
      {
        index: 0,
        q: "down",
        type: "track",
        status: 502,
        message: `Spotify answered 503 after ${settings.maxAttempts} attempts`,
      },
    ]);
  });

  it("a later page's failure keeps the pages already fetched, and reports the query as failed", async () => {
    const batch = containerOf({
      script: (url) =>
        url.searchParams.get("offset") === "2"
          ? spotifyAnswer(400, { error: { status: 400, message: "Bad offset" } })
          : searchAnswer(url, 10),
    });

    const outcome = await batch.run([entry("a", { pages: 3 })]);

    expect(outcome).toMatchObject({ pages: 1, items: 2, succeeded: 0 });
    expect(outcome.failures).toEqual([
      { index: 0, q: "a", type: "track", status: 400, message: "Bad offset" },
    ]);
    expect(batch.lines).toHaveLength(1);
  });

  it("reports invalid entries as 400 failures beside the run's own, in entry order", async () => {
    const batch = containerOf({
      script: (url) =>
        url.searchParams.get("q") === "bad"
          ? spotifyAnswer(403, { error: { status: 403, message: "Forbidden" } })
          : searchAnswer(url, 1),
    });

    const outcome = await batch.run([
      entry("bad"),
      { q: 5, type: "track" },
      entry("ok"),
      { q: "x", type: "podcast" },
    ]);

    expect(outcome.succeeded).toBe(1);
    expect(outcome.failures).toEqual([
      { index: 0, q: "bad", type: "track", status: 403, message: "Forbidden" },
      {
        index: 1,
        q: undefined,
        type: "track",
        status: 400,
        message: "Parameter q must be a string",
      },
      { index: 3, q: "x", type: "podcast", status: 400, message: expect.stringContaining("type") },
    ]);
    expect(batch.searches.map((sent) => sent.url.searchParams.get("q"))).toEqual(["bad", "ok"]);
  });
});

describe("runBatch's results sink", () => {
  it("an emit error ends the run with that error, once every search under way has settled", async () => {
    const broken = new Error("upload failed");
    const batch = containerOf({
      script: async (url) => {
        // "a" answers at once; "b" and "c" are still out when its page cannot be stored.
        if (url.searchParams.get("q") !== "a") await yieldTurns(5);
        return searchAnswer(url, 1);
      },
    });
    batch.sink(async (line) => {
      batch.events.push(`emit ${line.query.q}`);
      if (line.query.q === "a") throw broken;
    });

    const ran = batch.run(
      ["a", "b", "c", "d", "e"].map((q) => entry(q)),
      { concurrency: 3 },
    );
    const error = await ran.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    batch.events.push("run ended");

    expect(error).toBe(broken);
    // The searches under way were answered and stored before the run ended; none started after.
    expect(batch.events.slice(-3)).toEqual(["emit b", "emit c", "run ended"]);
    expect(batch.searches.map((sent) => label(sent.url))).toEqual(["a@0", "b@0", "c@0"]);
  });
});

describe("runBatch counts", () => {
  it("the items of every page, leaving out Spotify's null placeholders", async () => {
    const batch = containerOf({
      script: (url) =>
        spotifyAnswer(
          200,
          url.searchParams.get("q") === "a"
            ? {
                tracks: { items: [{ id: 1 }, null, { id: 2 }], next: null },
                artists: { items: [{ id: 4 }], next: null },
              }
            : { tracks: { items: [{ id: 3 }], next: null } },
        ),
    });

    const outcome = await batch.run([entry("a", { type: "track,artist" }), entry("b")]);

    expect(outcome.items).toBe(4);
    expect(outcome.pages).toBe(2);
  });
});

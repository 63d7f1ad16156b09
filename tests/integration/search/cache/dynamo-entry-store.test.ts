import { randomBytes, randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createCacheTable } from "../../../../infra/local/cache-table.ts";
import { searchStoresOn } from "../../../../lib/app/shared-table.ts";
import type { CacheEntry } from "../../../../lib/cache/cache-entry.ts";
import { type Compression, loadCacheConfig, loadFleetConfig } from "../../../../lib/config.ts";
import { Deadline } from "../../../../lib/deadline.ts";
import type { Log, MetricName, MetricsSink } from "../../../../lib/observability/types.ts";
import { FakeClock } from "../../../support/fake-clock.ts";

const dynamo = new DynamoDBClient({ endpoint: inject("motoEndpoint"), region: "us-east-1" });
afterAll(() => dynamo.destroy());

function recorder() {
  const lines: { level: string; message: string }[] = [];
  const counts = new Map<MetricName, number>();
  const log: Log = {
    debug: (message) => lines.push({ level: "debug", message }),
    info: (message) => lines.push({ level: "info", message }),
    warn: (message) => lines.push({ level: "warn", message }),
    error: (message) => lines.push({ level: "error", message }),
  };
  const metrics: MetricsSink = {
    count: (name, value = 1) => counts.set(name, (counts.get(name) ?? 0) + value),
    milliseconds: () => {},
  };
  return { lines, counts, log, metrics };
}

/** Tier 2's store on a fresh table, or on `missingTable`, which does not exist. */
async function tier(missingTable?: string, compression: Compression = "zlib") {
  const tableName = missingTable ?? `shared-tier-${randomUUID()}`;
  if (!missingTable) await createCacheTable(dynamo, tableName);
  const clock = new FakeClock(Date.now());
  const seen = recorder();
  const cache = {
    ...loadCacheConfig({ CACHE_READ_TIMEOUT_MS: "2000", CACHE_WRITE_TIMEOUT_MS: "2000" }),
    compression,
  };
  const fleet = loadFleetConfig({
    COOLDOWN_READ_TIMEOUT_MS: "2000",
    COOLDOWN_WRITE_TIMEOUT_MS: "2000",
  });
  const deps = { dynamoDb: dynamo, clock, log: seen.log, metrics: seen.metrics };
  const { cooldowns, entries: store } = searchStoresOn(tableName, cache, fleet, deps);
  const shared = {
    write: store.write.bind(store),
    read: async (key: string, deadline: Deadline) => (await store.read(key, deadline))?.entry,
  };
  return {
    shared,
    store,
    cooldowns,
    clock,
    seen,
    deadline: new Deadline(clock.now() + 10_000, clock),
  };
}

function entryOf(body: string, clock: FakeClock): CacheEntry {
  const now = clock.now();
  return { body, storedAt: now, freshUntil: now + 60_000, staleUntil: now + 120_000 };
}

describe("DynamoEntryStore on DynamoDB (moto)", () => {
  it("round-trips an entry byte for byte, compressed in the table", async () => {
    const { shared, clock, deadline } = await tier();
    const body = JSON.stringify({ tracks: { items: Array(200).fill({ name: "ñ ü 東京 🎵" }) } });
    const entry = entryOf(body, clock);

    expect(await shared.write("search#k", entry, deadline)).toBe(true);
    const read = await shared.read("search#k", deadline);

    expect(read?.body).toBe(body);
    expect(read).toMatchObject({ storedAt: entry.storedAt, freshUntil: entry.freshUntil });
  });

  it("keeps every time in milliseconds: staleUntil comes back exactly, not rounded to a second", async () => {
    const { shared, clock, deadline } = await tier();
    const entry = { ...entryOf("{}", clock), staleUntil: clock.now() + 120_001 };

    await shared.write("search#ms", entry, deadline);

    expect((await shared.read("search#ms", deadline))?.staleUntil).toBe(entry.staleUntil);
  });

  it("with CACHE_COMPRESSION=brotli, round-trips byte for byte, and a zlib reader reads it too", async () => {
    const brotli = await tier(undefined, "brotli");
    const body = JSON.stringify({ artists: { items: Array(300).fill({ name: "Björk 東京" }) } });
    await brotli.shared.write("search#br", entryOf(body, brotli.clock), brotli.deadline);

    expect((await brotli.shared.read("search#br", brotli.deadline))?.body).toBe(body);
  });

  it("a first-miss marker reads as missed before, with no entry; an entry written later replaces it", async () => {
    const { store, clock, deadline } = await tier();

    await store.markMiss("search#once", clock.now() + 60_000, deadline);
    expect(await store.read("search#once", deadline)).toEqual({
      entry: undefined,
      missedBefore: true,
    });
    clock.advance(60_001);
    const later = new Deadline(clock.now() + 10_000, clock);
    expect((await store.read("search#once", later))?.missedBefore).toBe(false);
    await store.write("search#once", entryOf("{}", clock), later);
    expect((await store.read("search#once", later))?.entry?.body).toBe("{}");
  });

  it("each read brings the fleet's cooldown record along: the record needs no round trip of its own", async () => {
    const { store, cooldowns, clock, deadline } = await tier();
    await cooldowns.announce(clock.now() + 5_000, "QUOTA_EXCEEDED", deadline);

    await store.read("search#any", deadline);

    expect(cooldowns.recent(0)?.record).toMatchObject({
      until: clock.now() + 5_000,
      reason: "QUOTA_EXCEEDED",
      settled: false,
    });
  });

  it("an entry over DynamoDB's 400 KB limit even compressed is not written, and that is logged", async () => {
    const { shared, clock, seen, deadline } = await tier();
    const incompressible = JSON.stringify({ blob: randomBytes(420 * 1024).toString("base64") });

    expect(await shared.write("search#big", entryOf(incompressible, clock), deadline)).toBe(false);

    expect(await shared.read("search#big", deadline)).toBeUndefined();
    expect(seen.counts.get("CacheOversizeEntries")).toBe(1);
    expect(seen.lines.some((l) => l.level === "warn" && /too large/.test(l.message))).toBe(true);
  });

  it("a missing table: the read answers undefined, is counted once, and tier 2 is skipped for a while", async () => {
    const { shared, clock, seen, deadline } = await tier("no-such-table");

    expect(await shared.read("search#k", deadline)).toBeUndefined();
    expect(await shared.write("search#k", entryOf("{}", clock), deadline)).toBe(false);
    expect(seen.counts.get("CacheSharedErrors")).toBe(1);
    clock.advance(30_001);
    expect(
      await shared.read("search#k", new Deadline(clock.now() + 10_000, clock)),
    ).toBeUndefined();
    expect(seen.counts.get("CacheSharedErrors")).toBe(2);
  });
});

describe("DynamoEntryStore when the request runs out of time", () => {
  it("a read cut short by the request's deadline is not the table's failure: tier 2 stays on", async () => {
    const { shared, clock, seen } = await tier();
    await shared.write("search#k", entryOf("{}", clock), new Deadline(clock.now() + 10_000, clock));

    const cut = await shared.read("search#k", new Deadline(clock.now() + 1, clock));
    const next = await shared.read("search#k", new Deadline(clock.now() + 10_000, clock));

    expect(cut).toBeUndefined();
    expect(seen.counts.get("CacheSharedErrors")).toBeUndefined();
    expect(next?.body).toBe("{}");
  });
});

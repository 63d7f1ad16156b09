import { randomBytes, randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createCacheTable } from "../../../../infra/local/cache-table.ts";
import { CacheTable } from "../../../../lib/aws/cache-table.ts";
import type { CacheEntry } from "../../../../lib/cache/cache-entry.ts";
import { SharedTier } from "../../../../lib/cache/shared-tier.ts";
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

/** A tier on a fresh table, or on `missingTable`, which does not exist. */
async function tier(missingTable?: string) {
  const tableName = missingTable ?? `shared-tier-${randomUUID()}`;
  if (!missingTable) await createCacheTable(dynamo, tableName);
  const clock = new FakeClock(Date.now());
  const seen = recorder();
  const shared = new SharedTier({
    table: new CacheTable(dynamo, tableName),
    clock,
    readTimeoutMs: 2_000,
    writeTimeoutMs: 2_000,
    failureBackoffMs: 30_000,
    log: seen.log,
    metrics: seen.metrics,
  });
  return { shared, clock, seen, deadline: new Deadline(clock.now() + 10_000, clock) };
}

function entryOf(body: string, clock: FakeClock): CacheEntry {
  const now = clock.now();
  return { body, storedAt: now, freshUntil: now + 60_000, staleUntil: now + 120_000 };
}

describe("SharedTier on DynamoDB (moto)", () => {
  it("round-trips an entry byte for byte, compressed in the table", async () => {
    const { shared, clock, deadline } = await tier();
    const body = JSON.stringify({ tracks: { items: Array(200).fill({ name: "ñ ü 東京 🎵" }) } });
    const entry = entryOf(body, clock);

    expect(await shared.write("search#k", entry, deadline)).toBe(true);
    const read = await shared.read("search#k", deadline);

    expect(read?.body).toBe(body);
    expect(read).toMatchObject({ storedAt: entry.storedAt, freshUntil: entry.freshUntil });
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

describe("SharedTier when the request runs out of time", () => {
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

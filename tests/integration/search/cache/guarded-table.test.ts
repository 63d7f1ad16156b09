import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createCacheTable } from "../../../../infra/local/cache-table.ts";
import { CacheTable } from "../../../../lib/aws/cache-table.ts";
import { GuardedTable, type GuardSettings } from "../../../../lib/aws/guarded-table.ts";
import { Deadline } from "../../../../lib/deadline.ts";
import { FakeClock } from "../../../support/fake-clock.ts";
import { observed } from "../../../support/observed.ts";

const moto = new DynamoDBClient({ endpoint: inject("motoEndpoint"), region: "us-east-1" });
/** Accepts connections and never answers: every call on it runs into a timeout. */
let hanging: Server;
let silent: DynamoDBClient;
const sockets: Socket[] = [];

beforeAll(async () => {
  hanging = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  const { port } = hanging.address() as { port: number };
  silent = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    maxAttempts: 1,
  });
});
afterAll(async () => {
  moto.destroy();
  silent.destroy();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => hanging.close(resolve));
});

const SETTINGS: GuardSettings = {
  name: "Fleet cooldown record",
  errorMetric: "CooldownStoreErrors",
  readTimeoutMs: 5_000,
  writeTimeoutMs: 5_000,
  failureBackoffMs: 5_000,
};

/** A table's guard as one user sees it; `tableName` undefined: a fresh table on moto. */
async function guarded(
  options: { client?: DynamoDBClient; tableName?: string; settings?: Partial<GuardSettings> } = {},
) {
  const client = options.client ?? moto;
  const tableName = options.tableName ?? `guarded-${randomUUID()}`;
  if (!options.tableName) await createCacheTable(moto, tableName);
  const clock = new FakeClock(Date.now());
  const seen = observed();
  const table = new GuardedTable(
    { table: new CacheTable(client, tableName), clock, log: seen.log, metrics: seen.metrics },
    { ...SETTINGS, ...options.settings },
  );
  return {
    table,
    clock,
    seen,
    tableName,
    deadline: () => new Deadline(clock.now() + 10_000, clock),
  };
}

const item = (pk: string, n: number) => ({ pk: { S: pk }, n: { N: String(n) } });

describe("GuardedTable on DynamoDB (moto)", () => {
  it("passes reads, writes and conditional updates through while the table answers", async () => {
    const { table, deadline, seen } = await guarded();

    const written = await table.put(item("a", 1), deadline(), "write");
    const one = await table.get("a", deadline());
    const absent = await table.get("nothing", deadline());
    const both = await table.read(["a", "nothing"], deadline());
    const refused = await table.updateIf(
      "a",
      {
        update: "SET #n = :n",
        condition: "#n > :n",
        names: { "#n": "n" },
        values: { ":n": { N: "5" } },
      },
      deadline(),
      "update",
    );

    expect(written).toBe(true);
    expect(one).toEqual(item("a", 1));
    expect(absent).toBeNull();
    expect([...(both?.keys() ?? [])]).toEqual(["a"]);
    expect(refused).toBe(false);
    expect(seen.lines).toEqual([]);
  });

  it("a failure is logged once, under the user's name and metric, then the table is skipped for the backoff", async () => {
    const { table, clock, seen, deadline } = await guarded({ tableName: "no-such-table" });

    const failed = await table.get("a", deadline());
    const skipped = await table.put(item("a", 1), deadline(), "write");
    clock.advance(SETTINGS.failureBackoffMs);
    const retried = await table.get("a", deadline());

    expect([failed, skipped, retried]).toEqual([undefined, undefined, undefined]);
    expect(seen.count("CooldownStoreErrors")).toBe(2);
    expect(seen.lines).toHaveLength(2);
    expect(seen.lines[0]).toMatchObject({
      level: "warn",
      message: "Fleet cooldown record unavailable: skipping it for a while",
      details: {
        operation: "read",
        error: "ResourceNotFoundException",
        table: "no-such-table",
        skipMs: 5_000,
      },
    });
  });
});

describe("GuardedTable when the table does not answer", () => {
  it("a call is cut at its own timeout and counted as the table's failure", async () => {
    const { table, seen, deadline } = await guarded({
      client: silent,
      tableName: "silent",
      settings: { readTimeoutMs: 20 },
    });

    const read = await table.read(["a"], deadline());

    expect(read).toBeUndefined();
    expect(seen.count("CooldownStoreErrors")).toBe(1);
    expect(seen.lines.map((line) => line.details.operation)).toEqual(["read"]);
  });

  it("a call cut by the request's deadline is not the table's failure: the next call is tried", async () => {
    const { table, clock, seen } = await guarded({
      client: silent,
      tableName: "silent",
      settings: { readTimeoutMs: 20 },
    });

    const cut = await table.get("a", new Deadline(clock.now() + 10, clock));
    const afterCut = seen.count("CooldownStoreErrors");
    await table.get("a", new Deadline(clock.now() + 10_000, clock));

    expect(cut).toBeUndefined();
    expect(afterCut).toBe(0);
    // Tried, timed out on its own: had the cut switched the table off, nothing would be counted.
    expect(seen.count("CooldownStoreErrors")).toBe(1);
  });
});

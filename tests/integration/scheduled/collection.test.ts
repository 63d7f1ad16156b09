import { randomUUID } from "node:crypto";
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterEach, describe, expect, inject, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { coldScheduledHandler } from "../../support/container.ts";
import { loadEvent } from "../../support/events.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

const endpoint = () => inject("motoEndpoint");
const s3 = () => new S3Client({ endpoint: endpoint(), region: "us-east-1", forcePathStyle: true });
const ssm = () => new SSMClient({ endpoint: endpoint(), region: "us-east-1" });
const scheduledEvent = () => loadEvent<Record<string, unknown>>("scheduled.json");

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

interface Setup {
  queries?: string;
  parameterType?: "String" | "SecureString";
  bucket?: boolean;
  env?: Record<string, string>;
}

/** A stack plus the SSM parameter and bucket the template would create. */
async function scheduledStack(setup: Setup = {}) {
  stack = await startTestStack();
  const parameter = `/spotify-search/test/${randomUUID()}`;
  const bucket = `results-${randomUUID()}`;
  if (setup.queries !== undefined) {
    await ssm().send(
      new PutParameterCommand({
        Name: parameter,
        Value: setup.queries,
        Type: setup.parameterType ?? "String",
      }),
    );
  }
  if (setup.bucket !== false) await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  const env = {
    ...stack.env,
    SCHEDULED_QUERIES_PARAMETER: parameter,
    RESULTS_BUCKET: bucket,
    // The batch's own pace has its tests (scheduled-pacing.test.ts); here it would only add waits.
    BATCH_REQUESTS_PER_SECOND: "1000",
    ...setup.env,
  };
  const handler = await coldScheduledHandler(env);
  return { handler, bucket, parameter, stack };
}

async function objectsIn(bucket: string) {
  const listed = await s3().send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((object) => object.Key ?? "");
}

async function linesOf(bucket: string, key: string) {
  const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await object.Body?.transformToString()) ?? "";
  expect(text.endsWith("\n")).toBe(true);
  return text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
}

const artists = [
  "Radiohead",
  "BTS",
  "Björk",
  "Nina Simone",
  "Aphex Twin",
  "ABBA",
  "Daft Punk",
  "Sade",
  "Can",
  "Low",
];
const tenQueries = JSON.stringify(artists.map((name) => ({ q: `artist:${name}`, type: "artist" })));

describe("scheduled collection", () => {
  it("10 queries from SSM → succeeded 10, one token request, 10 JSON lines in S3", async () => {
    const { handler, bucket } = await scheduledStack({ queries: tenQueries });

    const summary = await handler(scheduledEvent(), lambdaContext(60_000));

    expect(summary).toMatchObject({ succeeded: 10, failed: 0, skipped: 0, pages: 10 });
    expect(summary.items).toBeGreaterThan(0);
    expect(stack?.emulator.count("token")).toBe(1);
    const keys = await objectsIn(bucket);
    expect(keys).toEqual([
      "spotify-search/dt=2026-11-26/run=20261126T130000Z-53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa.jsonl",
    ]);
    expect(summary.object).toBe(`s3://${bucket}/${keys[0]}`);
    const lines = await linesOf(bucket, keys[0] as string);
    expect(lines).toHaveLength(10);
    // Lines are streamed in the order pages arrive; each names its query.
    const byIndex = [...lines].sort((a, b) => a.query_index - b.query_index);
    expect(byIndex.map((line) => line.query.q)).toEqual(artists.map((name) => `artist:${name}`));
    for (const line of lines) {
      expect(line).toMatchObject({ run_id: summary.runId, page: 1 });
      expect(Date.parse(line.fetched_at)).not.toBeNaN();
      expect(line.body.artists).toHaveProperty("items");
    }
  });

  it("reads a SecureString parameter, and caches it across warm invocations", async () => {
    const { handler } = await scheduledStack({
      queries: tenQueries,
      parameterType: "SecureString",
    });

    await handler(scheduledEvent(), lambdaContext(60_000));
    const second = await handler({ ...scheduledEvent(), id: "second-run" }, lambdaContext(60_000));

    expect(second.succeeded).toBe(10);
    expect(stack?.aws.count("AmazonSSM.GetParameter")).toBe(1);
    expect(stack?.aws.count("secretsmanager.GetSecretValue")).toBe(1);
  });

  it("one query gets a permanent 400 → the other 9 succeed, failed 1 with Spotify's message", async () => {
    const queries = JSON.parse(tenQueries);
    queries[3].market = "KP";
    const { handler } = await scheduledStack({ queries: JSON.stringify(queries) });

    const summary = await handler(scheduledEvent(), lambdaContext(60_000));

    expect(summary).toMatchObject({ succeeded: 9, failed: 1 });
    expect(summary.failures).toEqual([
      {
        index: 3,
        q: "artist:Nina Simone",
        type: "artist",
        status: 400,
        message: "Unlaunched market",
      },
    ]);
    expect(summary.pages).toBe(9);
  });

  it("a bad entry is reported with its reason and does not stop the rest", async () => {
    const queries = JSON.parse(tenQueries);
    queries.push({ q: "x", type: "singer" }, { q: "y", type: "artist", limt: 5 }, "just a string");
    const { handler } = await scheduledStack({ queries: JSON.stringify(queries) });

    const summary = await handler(scheduledEvent(), lambdaContext(60_000));

    expect(summary).toMatchObject({ succeeded: 10, failed: 3 });
    expect(summary.failures.map((f: { index: number }) => f.index)).toEqual([10, 11, 12]);
    expect(summary.failures[0]?.message).toMatch(/type.*singer/);
    expect(summary.failures[1]?.message).toMatch(/limt/);
    expect(stack?.emulator.count("search")).toBe(10);
  });

  it("pages follows Spotify's next links up to the requested number of pages", async () => {
    const queries = [{ q: "love", type: "track", limit: 10, pages: 3 }];
    const { handler, bucket } = await scheduledStack({ queries: JSON.stringify(queries) });

    const summary = await handler(scheduledEvent(), lambdaContext(60_000));

    expect(summary).toMatchObject({ succeeded: 1, pages: 3 });
    const [key] = await objectsIn(bucket);
    const lines = await linesOf(bucket, key as string);
    expect(lines.map((line) => [line.page, line.body.tracks.offset])).toEqual([
      [1, 0],
      [2, 10],
      [3, 20],
    ]);
  });

  it("a query over several types pages each type along its own next links", async () => {
    const queries = [{ q: "artist:Bjork", type: "artist,album", limit: 10, pages: 3 }];
    const { handler, bucket } = await scheduledStack({ queries: JSON.stringify(queries) });

    const summary = await handler(scheduledEvent(), lambdaContext(60_000));

    expect(summary).toMatchObject({ succeeded: 1, failed: 0 });
    const [key] = await objectsIn(bucket);
    const lines = await linesOf(bucket, key as string);
    const seen = lines.flatMap((line) =>
      Object.entries(line.body as Record<string, { offset: number }>).map(
        ([type, paging]) => `${type}@${paging.offset}`,
      ),
    );
    expect(seen.sort()).toEqual([
      "albums@0",
      "albums@10",
      "albums@20",
      "artists@0",
      "artists@10",
      "artists@20",
    ]);
  });

  it("a run where nothing succeeded writes no object, even with pages fetched", async () => {
    const queries = [{ q: "love", type: "track", limit: 10, pages: 3 }];
    const { handler, bucket } = await scheduledStack({ queries: JSON.stringify(queries) });
    stack?.emulator.fault("search", { kind: "delay", ms: 0 });
    stack?.emulator.fault("search", { kind: "status", status: 503 }, 3);

    await expect(handler(scheduledEvent(), lambdaContext(60_000))).rejects.toThrow(
      /No search of the batch succeeded/,
    );

    expect(
      stack?.emulator.requests.filter((r) => r.endpoint === "search").map((r) => r.status),
    ).toEqual([200, 503, 503, 503]);
    expect(await objectsIn(bucket)).toEqual([]);
  });

  it("the event's own queries replace the SSM list", async () => {
    const { handler } = await scheduledStack({ queries: tenQueries });

    const summary = await handler(
      loadEvent("scheduled-custom-queries.json"),
      lambdaContext(60_000),
    );

    expect(summary).toMatchObject({ source: "event", succeeded: 3, failed: 0 });
    expect(stack?.aws.count("AmazonSSM.GetParameter")).toBe(0);
  });

  it("under the emulator's rate-limit window all queries finish and no request jumps a Retry-After", async () => {
    const { handler } = await scheduledStack({ queries: tenQueries });
    stack?.emulator.setRateLimit({ windowMs: 1_000, maxRequests: 4 });

    const summary = await handler(scheduledEvent(), lambdaContext(60_000));

    expect(summary).toMatchObject({ succeeded: 10, failed: 0 });
    const searches = stack?.emulator.requests.filter((r) => r.endpoint === "search") ?? [];
    const limited = searches.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // Requests already sent when the 429 was answered land just after it (a few ms on an idle
    // loopback, a few hundred when the suite keeps both cores busy): a request that waited for the
    // Retry-After arrives a whole second later, so one arriving in between jumped it.
    const inFlightMs = 250;
    for (const rejected of limited) {
      const until = rejected.receivedAt + Number(rejected.retryAfter) * 1000;
      const early = searches.filter(
        (r) => r.receivedAt > rejected.receivedAt + inFlightMs && r.receivedAt < until,
      );
      expect(
        early,
        JSON.stringify(
          searches.map((r) => [
            r.receivedAt - (searches[0]?.receivedAt ?? 0),
            r.status,
            r.retryAfter,
          ]),
        ),
      ).toEqual([]);
    }
  });

  it("a malformed SSM value → a clear error naming the parameter; nothing written", async () => {
    const { handler, bucket, parameter } = await scheduledStack({ queries: "[{q: 'not json'" });

    await expect(handler(scheduledEvent(), lambdaContext(60_000))).rejects.toThrow(
      new RegExp(`SSM parameter ${parameter} is not valid JSON`),
    );
    expect(await objectsIn(bucket)).toEqual([]);
    expect(stack?.emulator.count()).toBe(0);
  });

  it("an SSM value that is not an array → a clear error; nothing written", async () => {
    const { handler, bucket } = await scheduledStack({ queries: '{"q":"BTS","type":"artist"}' });

    await expect(handler(scheduledEvent(), lambdaContext(60_000))).rejects.toThrow(
      /must be a JSON array/,
    );
    expect(await objectsIn(bucket)).toEqual([]);
  });

  it("a missing parameter → a clear error naming it; nothing written", async () => {
    const { handler, bucket, parameter } = await scheduledStack();

    await expect(handler(scheduledEvent(), lambdaContext(60_000))).rejects.toThrow(
      new RegExp(`SSM parameter ${parameter} .*does not exist`),
    );
    expect(await objectsIn(bucket)).toEqual([]);
  });

  it("stops starting searches when the deadline is near and reports what it skipped", async () => {
    const queries = artists.map((name) => ({ q: name, type: "artist" }));
    const { handler } = await scheduledStack({
      queries: JSON.stringify(queries),
      env: { BATCH_CONCURRENCY: "1" },
    });
    stack?.emulator.fault("search", { kind: "delay", ms: 400 }, -1);

    const summary = await handler(scheduledEvent(), lambdaContext(5_500));

    expect(summary.succeeded).toBeGreaterThan(0);
    expect(summary.skipped).toBeGreaterThan(0);
    expect(summary.succeeded + summary.skipped + summary.failed).toBe(10);
    expect(summary.skippedQueries[0]).toMatchObject({ q: expect.any(String), type: "artist" });
  });

  it("fails the invocation when no search succeeds, so Lambda retries and alarms fire", async () => {
    const { handler, bucket } = await scheduledStack({ queries: tenQueries });
    stack?.emulator.fault("search", { kind: "status", status: 503 }, -1);

    await expect(handler(scheduledEvent(), lambdaContext(60_000))).rejects.toThrow(
      /No search of the batch succeeded/,
    );
    expect(await objectsIn(bucket)).toEqual([]);
  });

  it("without RESULTS_BUCKET it only reports the summary", async () => {
    const { handler } = await scheduledStack({
      queries: tenQueries,
      bucket: false,
      env: { RESULTS_BUCKET: "" },
    });

    const summary = await handler(scheduledEvent(), lambdaContext(60_000));

    expect(summary).toMatchObject({ succeeded: 10, object: null });
    expect(stack?.aws.calls.filter((call) => call.operation.startsWith("S3 "))).toEqual([]);
  });
});

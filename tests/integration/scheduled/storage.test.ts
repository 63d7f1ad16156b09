import { randomUUID } from "node:crypto";
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterEach, describe, expect, inject, it } from "vitest";
import { totalFor } from "../../../infra/local/emulator/search.ts";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { PART_SIZE } from "../../../lib/aws/results-store.ts";
import { coldScheduledHandler } from "../../support/container.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

const s3 = () =>
  new S3Client({ endpoint: inject("motoEndpoint"), region: "us-east-1", forcePathStyle: true });

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** A versioned bucket (as the template makes it) and a cold scheduled handler writing into it. */
async function storageStack(env: Record<string, string> = {}) {
  stack = await startTestStack();
  const bucket = `results-${randomUUID()}`;
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  await s3().send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
  const handler = await coldScheduledHandler({
    ...stack.env,
    SCHEDULED_QUERIES_PARAMETER: "/unused",
    RESULTS_BUCKET: bucket,
    BATCH_REQUESTS_PER_SECOND: "1000",
    ...env,
  });
  return { handler, bucket };
}

async function versionsIn(bucket: string) {
  const listed = await s3().send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return (listed.Versions ?? []).map((version) => version.Key ?? "");
}

async function openUploads(bucket: string) {
  const listed = await s3().send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return listed.Uploads ?? [];
}

async function textOf(bucket: string, key: string) {
  const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await object.Body?.transformToString()) ?? "";
}

const keyOf = (object: string | null) => (object ?? "").replace(/^s3:\/\/[^/]+\//, "");

/** Queries of 99 pages each (limit 10, up to offset 990) on queries the emulator has 1000 results for. */
function bigQueries(count: number) {
  const queries: { q: string; type: string; limit: number; pages: number }[] = [];
  for (let i = 0; queries.length < count && i < 1_000; i++) {
    if (totalFor(`love ${i}`, "track") >= 1000) {
      queries.push({ q: `love ${i}`, type: "track", limit: 10, pages: 99 });
    }
  }
  return queries;
}

const event = (id: string, queries: unknown) => ({
  id,
  time: "2026-11-26T13:00:00Z",
  queries,
});

describe("results are written once: a replayed run never replaces its object", () => {
  it("the same event twice → the second run finds the object, says so, and leaves it as it was", async () => {
    const { handler, bucket } = await storageStack();
    const queries = [{ q: "artist:Radiohead", type: "artist" }];

    const first = await handler(event("replayed", queries), lambdaContext(60_000));
    const before = await textOf(bucket, keyOf(first.object));
    const second = await handler(event("replayed", queries), lambdaContext(60_000));

    expect(first).toMatchObject({ succeeded: 1, alreadyStored: false });
    expect(second).toMatchObject({ succeeded: 1, alreadyStored: true, object: first.object });
    expect(await textOf(bucket, keyOf(first.object))).toBe(before);
    expect(await versionsIn(bucket)).toEqual([keyOf(first.object)]);
  });
});

describe("results are streamed: a multipart upload once they outgrow one part", () => {
  it("a run of 5 × 99 pages goes up in parts, reads back whole, and its replay changes nothing", {
    timeout: 120_000,
  }, async () => {
    const { handler, bucket } = await storageStack({ BATCH_CONCURRENCY: "4" });
    const queries = bigQueries(5);

    const summary = await handler(event("big-run", queries), lambdaContext(120_000));
    const text = await textOf(bucket, keyOf(summary.object));
    const replay = await handler(event("big-run", queries), lambdaContext(120_000));

    expect(summary).toMatchObject({ succeeded: 5, pages: 495, alreadyStored: false });
    expect(Buffer.byteLength(text)).toBeGreaterThan(PART_SIZE);
    const lines = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(new Set(lines.map((line) => `${line.query_index}/${line.page}`)).size).toBe(495);
    const posts = stack?.aws.calls.filter((call) => call.operation.startsWith("S3 POST"));
    // CreateMultipartUpload and CompleteMultipartUpload, for the run and for its replay.
    expect(posts).toHaveLength(4);
    expect(replay).toMatchObject({ alreadyStored: true, object: summary.object });
    expect(await versionsIn(bucket)).toEqual([keyOf(summary.object)]);
    expect(await openUploads(bucket)).toEqual([]);
  });

  it("a run that fails after streaming more than a part leaves no object and no open upload", {
    timeout: 120_000,
  }, async () => {
    const { handler, bucket } = await storageStack({ BATCH_CONCURRENCY: "1" });
    // Each query gets 98 pages, then a 404 on its last page: every search fails.
    for (let i = 0; i < 6; i++) {
      stack?.emulator.fault("search", { kind: "delay", ms: 0 }, 98);
      stack?.emulator.fault("search", { kind: "status", status: 404 }, 1);
    }

    await expect(
      handler(event("failed-run", bigQueries(6)), lambdaContext(120_000)),
    ).rejects.toThrow(/No search of the batch succeeded/);

    const calls = stack?.aws.calls.map((call) => call.operation.split(" ")[1]) ?? [];
    expect(calls).toContain("POST");
    expect(calls).toContain("DELETE");
    expect(await versionsIn(bucket)).toEqual([]);
    expect(await openUploads(bucket)).toEqual([]);
  });
});

describe("the write reserve is sized from the budget", () => {
  it("with 2.5 s left a run collects what fits, stores it and reports the rest as skipped", async () => {
    const { handler, bucket } = await storageStack({ BATCH_CONCURRENCY: "1" });
    stack?.emulator.fault("search", { kind: "delay", ms: 300 }, -1);
    const queries = Array.from({ length: 10 }, (_, i) => ({ q: `artist ${i}`, type: "artist" }));

    const summary = await handler(event("short", queries), lambdaContext(2_500));

    expect(summary.succeeded).toBeGreaterThan(0);
    expect(summary.skipped).toBeGreaterThan(0);
    expect(summary.succeeded + summary.skipped).toBe(10);
    expect(await versionsIn(bucket)).toEqual([keyOf(summary.object)]);
  });
});

import { randomUUID } from "node:crypto";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ResultsStore } from "../../../lib/aws/results-store.ts";
import type { Clock } from "../../../lib/clock.ts";
import { FakeClock } from "../../support/fake-clock.ts";

const s3 = new S3Client({
  endpoint: inject("motoEndpoint"),
  region: "us-east-1",
  forcePathStyle: true,
});
afterAll(() => s3.destroy());

async function freshBucket(): Promise<string> {
  const bucket = `results-store-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function keysIn(bucket: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((object) => object.Key ?? "");
}

async function textOf(bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await object.Body?.transformToString()) ?? "";
}

const LINES = ['{"query":{"q":"a"},"items":[1]}\n', '{"query":{"q":"b"},"items":[2]}\n'];

describe("ResultsStore: where a run's object goes", () => {
  const store = new ResultsStore(s3, "my-bucket", "spotify-search", new FakeClock());
  const startedAt = new Date("2026-11-26T13:00:00Z");

  it("keys a run by its start day and run id, under the prefix", () => {
    expect(store.keyFor("20261126T130000Z-abc", startedAt)).toBe(
      "spotify-search/dt=2026-11-26/run=20261126T130000Z-abc.jsonl",
    );
  });

  it("puts the key at the bucket's root when the prefix is empty", () => {
    const atRoot = new ResultsStore(s3, "my-bucket", "", new FakeClock());

    expect(atRoot.keyFor("r1", startedAt)).toBe("dt=2026-11-26/run=r1.jsonl");
  });

  it("names the object by its S3 URI", () => {
    expect(store.uri("spotify-search/dt=2026-11-26/run=r1.jsonl")).toBe(
      "s3://my-bucket/spotify-search/dt=2026-11-26/run=r1.jsonl",
    );
  });
});

describe("ResultsStore on S3 (moto)", () => {
  it("stores the written lines as one JSON Lines object", async () => {
    const bucket = await freshBucket();
    const store = new ResultsStore(s3, bucket, "runs", new FakeClock());
    const upload = store.open("runs/run=1.jsonl");

    for (const line of LINES) await upload.write(line);
    const result = await upload.finish();

    expect(result).toBe("stored");
    expect(await textOf(bucket, "runs/run=1.jsonl")).toBe(LINES.join(""));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "runs/run=1.jsonl" }));
    expect(head.ContentType).toBe("application/x-ndjson");
  });

  it("shows nothing before finish", async () => {
    const bucket = await freshBucket();
    const upload = new ResultsStore(s3, bucket, "", new FakeClock()).open("run.jsonl");

    await upload.write(LINES[0] ?? "");

    expect(await keysIn(bucket)).toEqual([]);
    await upload.abort();
  });

  it("never replaces an object already stored under the key: the second finish says so", async () => {
    const bucket = await freshBucket();
    const store = new ResultsStore(s3, bucket, "", new FakeClock());
    const first = store.open("run.jsonl");
    await first.write("first run\n");
    await first.finish();

    const replay = store.open("run.jsonl");
    await replay.write("replayed run\n");
    const result = await replay.finish();

    expect(result).toBe("already-stored");
    expect(await textOf(bucket, "run.jsonl")).toBe("first run\n");
  });

  it("an aborted upload leaves no object and no open upload", async () => {
    const bucket = await freshBucket();
    const upload = new ResultsStore(s3, bucket, "", new FakeClock()).open("run.jsonl");
    await upload.write(LINES[0] ?? "");

    await upload.abort();

    expect(await keysIn(bucket)).toEqual([]);
    const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it("refuses a write once the upload has ended", async () => {
    const bucket = await freshBucket();
    const store = new ResultsStore(s3, bucket, "", new FakeClock());
    const finished = store.open("finished.jsonl");
    await finished.finish();
    const aborted = store.open("aborted.jsonl");
    await aborted.abort();

    await expect(finished.write("late\n")).rejects.toThrow("The upload has already ended");
    await expect(aborted.write("late\n")).rejects.toThrow("The upload has already ended");
  });

  it("a finish S3 refuses (no such bucket) throws S3's error", async () => {
    const upload = new ResultsStore(s3, `missing-${randomUUID()}`, "", new FakeClock()).open(
      "run.jsonl",
    );
    await upload.write(LINES[0] ?? "");

    await expect(upload.finish()).rejects.toMatchObject({ name: "NoSuchBucket" });
  });
});

describe("ResultsStore.lastFinishMs: how long the last finish took, to size the next reserve", () => {
  /** A clock that moves 250 ms each time it is read: a finish reads it once before, once after. */
  function tickingClock(): Clock {
    let now = Date.UTC(2026, 10, 26, 13);
    return {
      now: () => {
        now += 250;
        return now;
      },
      sleep: async () => {},
    };
  }

  it("is unknown before any finish", () => {
    expect(new ResultsStore(s3, "my-bucket", "", tickingClock()).lastFinishMs).toBeUndefined();
  });

  it("is the time the finish took, by the store's clock", async () => {
    const bucket = await freshBucket();
    const store = new ResultsStore(s3, bucket, "", tickingClock());
    const upload = store.open("run.jsonl");
    await upload.write(LINES[0] ?? "");

    await upload.finish();

    expect(store.lastFinishMs).toBe(250);
  });

  it("is measured for a finish that failed too", async () => {
    const store = new ResultsStore(s3, `missing-${randomUUID()}`, "", tickingClock());
    const upload = store.open("run.jsonl");
    await upload.write(LINES[0] ?? "");

    await upload.finish().catch(() => undefined);

    expect(store.lastFinishMs).toBe(250);
  });
});

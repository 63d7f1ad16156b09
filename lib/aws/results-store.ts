import { once } from "node:events";
import { PassThrough } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { ResultsStorage, ResultsWriter, StoreResult } from "../batch/results-storage.ts";
import type { Clock } from "../clock.ts";

/** S3's smallest part: memory holds about one part being filled and one being sent. */
export const PART_SIZE = 5 * 1024 * 1024;

/** How a run's object ended up: written now, or already there from an earlier run with its key. */

/**
 * Where a run's results go: one JSON Lines object per run, streamed as the pages arrive (a
 * multipart upload once it outgrows one part), so memory stays bounded whatever the batch size.
 * Readers see the whole object or none: parts are invisible until the upload completes, and a
 * failed run aborts it. The write is conditional (`If-None-Match: *`): a replayed run never
 * replaces the object an earlier run with the same key stored.
 */
export class ResultsStore implements ResultsStorage {
  /** How long the last finish (final part and completion) took, to size the next run's reserve. */
  lastFinishMs: number | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  keyFor(runId: string, startedAt: Date): string {
    const day = startedAt.toISOString().slice(0, 10);
    return `${this.prefix ? `${this.prefix}/` : ""}dt=${day}/run=${runId}.jsonl`;
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  /** Starts the upload of `key`; nothing is visible until `finish()` succeeds. */
  open(key: string): ResultsUpload {
    return new ResultsUpload(this.client, this.bucket, key, this.clock, (ms) => {
      this.lastFinishMs = ms;
    });
  }
}

export class ResultsUpload implements ResultsWriter {
  private readonly body = new PassThrough();
  private readonly done: Promise<unknown>;
  private ended = false;

  constructor(
    client: S3Client,
    bucket: string,
    key: string,
    private readonly clock: Clock,
    private readonly onFinished: (ms: number) => void,
  ) {
    const upload = new Upload({
      client,
      params: {
        Bucket: bucket,
        Key: key,
        Body: this.body,
        ContentType: "application/x-ndjson",
        IfNoneMatch: "*",
      },
      partSize: PART_SIZE,
      queueSize: 1,
    });
    this.done = upload.done();
    // Observed by finish() or abort(); a failure in between surfaces from write().
    this.done.catch(() => undefined);
  }

  /** Appends text, waiting while S3 is behind (backpressure keeps memory bounded). */
  async write(text: string): Promise<void> {
    if (this.ended) throw new Error("The upload has already ended");
    if (this.body.write(text)) return;
    const ended = this.done.then(() => {
      throw new Error("The upload ended before all results were written");
    });
    await Promise.race([once(this.body, "drain"), ended]);
  }

  /** Completes the object; "already-stored" when an object with this key was there first. */
  async finish(signal?: AbortSignal): Promise<StoreResult> {
    this.ended = true;
    const started = this.clock.now();
    const onAbort = () => this.body.destroy(new Error("The deadline passed while storing"));
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      this.body.end();
      await this.done;
      return "stored";
    } catch (error) {
      if (isPreconditionFailed(error)) return "already-stored";
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.onFinished(this.clock.now() - started);
    }
  }

  /** Gives up: the parts sent so far are discarded (AbortMultipartUpload) and no object appears. */
  async abort(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.body.destroy(new Error("The run failed; its results are not stored"));
    await this.done.catch(() => undefined);
  }
}

/** S3's answer to a conditional write whose key already exists. */
function isPreconditionFailed(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === "PreconditionFailed" || e?.$metadata?.httpStatusCode === 412;
}

import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { ResultLine } from "../batch/run-batch.ts";

/**
 * Writes a run's results as one JSON Lines object. A single PutObject is atomic: readers see the
 * whole object or none, so a failed run never leaves half a file behind.
 */
export class ResultsStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  keyFor(runId: string, startedAt: Date): string {
    const day = startedAt.toISOString().slice(0, 10);
    return `${this.prefix ? `${this.prefix}/` : ""}dt=${day}/run=${runId}.jsonl`;
  }

  async write(key: string, lines: readonly ResultLine[], signal?: AbortSignal): Promise<string> {
    const body = lines.map((line) => `${JSON.stringify(line)}\n`).join("");
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: "application/x-ndjson",
      }),
      { abortSignal: signal },
    );
    return `s3://${this.bucket}/${key}`;
  }
}

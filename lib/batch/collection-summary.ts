import { ServiceError } from "../errors.ts";
import type { QueryFailure, SkippedQuery } from "./run-batch.ts";

/** What one scheduled run did: the invocation's result and its log line. */
export interface CollectionSummary {
  runId: string;
  source: string;
  succeeded: number;
  failed: number;
  skipped: number;
  items: number;
  pages: number;
  durationMs: number;
  object: string | null;
  /** True when the object was already there (a replayed run): it was left as it was. */
  alreadyStored: boolean;
  /** Requests sent to Spotify for search pages (retries included), against BATCH_MAX_REQUESTS. */
  requests: number;
  failures: QueryFailure[];
  skippedQueries: SkippedQuery[];
}

/**
 * Invocation fails (so Lambda retries and the Errors alarm fires) when the batch cannot be read,
 * the results cannot be stored, or not one search succeeded. A run where only some
 * searches failed or were skipped succeeds and reports them in its summary and metrics.
 */
export class CollectionFailedError extends ServiceError {
  readonly status = 502;
  override name = "CollectionFailedError";
  constructor(
    message: string,
    readonly summary: CollectionSummary,
  ) {
    super(message);
  }
}

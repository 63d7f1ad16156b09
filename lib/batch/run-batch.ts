import type { Clock } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import { CooldownError, ServiceError } from "../errors.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { asRecord, isRecord } from "../records.ts";
import type { SearchParams } from "../search/search-params.ts";
import type { SpotifyClient } from "../spotify/spotify-client.ts";
import type { BatchQuery, InvalidEntry } from "./parse-batch.ts";
import { PacingStop, type RequestPacer } from "./request-pacer.ts";

/** One line of the results file: one Spotify page of one search. */
export interface ResultLine {
  run_id: string;
  query_index: number;
  query: SearchParams;
  page: number;
  fetched_at: string;
  body: unknown;
}

export interface QueryFailure {
  index: number;
  q?: string;
  type?: string;
  status: number;
  message: string;
}

/** Why a query was not run: time ran out, the run's request cap, or a rate-limit window. */
export type SkipReason = "deadline" | "request-cap" | "rate-limit-window";

export interface SkippedQuery {
  index: number;
  q: string;
  type: string;
  reason: SkipReason;
}

export interface BatchOutcome {
  pages: number;
  succeeded: number;
  failures: QueryFailure[];
  skipped: SkippedQuery[];
  items: number;
}

export interface BatchRunDeps {
  client: SpotifyClient;
  clock: Clock;
  log: Log;
  metrics: MetricsSink;
  /** Takes each page as soon as it is fetched (the results upload); its errors end the run. */
  emit: (line: ResultLine) => Promise<void>;
}

export interface BatchRunSettings {
  concurrency: number;
  /** No new search (or page) starts with less than this left before the batch's deadline. */
  minTimeToStartMs: number;
  /** Spaces and caps the run's requests to Spotify. */
  pacer: RequestPacer;
}

/** An error of the results sink: the run cannot store what it fetches, so it stops. */
class EmitError extends Error {
  override name = "EmitError";
}

/**
 * Runs the searches with bounded concurrency on the shared client (one token, one cooldown, one
 * policy), each page handed to `emit` as it arrives. Stops starting searches when time runs
 * short or the run's request cap is reached, and reports what it did not run as skipped.
 */
export async function runBatch(
  runId: string,
  queries: readonly BatchQuery[],
  invalid: readonly InvalidEntry[],
  deadline: Deadline,
  settings: BatchRunSettings,
  deps: BatchRunDeps,
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = {
    pages: 0,
    succeeded: 0,
    failures: invalid.map((entry) => ({
      ...describeEntry(entry.entry),
      index: entry.index,
      status: 400,
      message: entry.message,
    })),
    skipped: [],
    items: 0,
  };
  let next = 0;
  let broken = false;
  // Set when a rate-limit window (the fleet's or this container's) outlasts what the run may wait.
  const stop: { window?: CooldownError } = {};
  const worker = async () => {
    for (let query = queries[next++]; query !== undefined; query = queries[next++]) {
      // The sink broke: the run fails with its error, so nothing more is started.
      if (broken) return;
      const reason = skipReason(settings, deadline, stop);
      if (reason) {
        outcome.skipped.push(skipped(query, reason));
        continue;
      }
      try {
        await runQuery(runId, query, deadline, settings, deps, outcome, stop);
      } catch (error) {
        broken = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.min(settings.concurrency, queries.length) }, worker);
  // Every worker settles before the outcome is final, even when the sink broke.
  const results = await Promise.allSettled(workers);
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  if (stop.window) {
    deps.log.warn(
      "Skipped the rest of the batch: Spotify's rate-limit window outlasts the run's wait",
      {
        retryAfterSeconds: stop.window.retryAfterSeconds,
        reason: stop.window.reason,
        skipped: outcome.skipped.filter((query) => query.reason === "rate-limit-window").length,
      },
    );
  }
  outcome.failures.sort((a, b) => a.index - b.index);
  outcome.skipped.sort((a, b) => a.index - b.index);
  return outcome;
}

async function runQuery(
  runId: string,
  query: BatchQuery,
  deadline: Deadline,
  settings: BatchRunSettings,
  deps: BatchRunDeps,
  outcome: BatchOutcome,
  stop: { window?: CooldownError },
): Promise<void> {
  const { pacer } = settings;
  let pages = 0;
  let items = 0;
  const record = async (page: number, body: unknown) => {
    pages++;
    items += countItems(body);
    const line: ResultLine = {
      run_id: runId,
      query_index: query.index,
      query: query.params,
      page,
      fetched_at: new Date(deps.clock.now()).toISOString(),
      body,
    };
    await deps.emit(line).catch((error: unknown) => {
      throw new EmitError("Could not store a page", { cause: error });
    });
  };
  try {
    const first = await deps.client.search(query.params, deadline, { pacer });
    await record(1, first.body);
    // Each type pages on its own: Spotify's `next` link names only its own type.
    for (const paging of pagingObjects(first.body)) {
      let link = nextOf(paging);
      for (let number = 2; number <= query.pages && link !== undefined; number++) {
        if (deadline.remainingMs() < settings.minTimeToStartMs || pacer.exhausted) {
          deps.log.warn("Stopped following pages", {
            index: query.index,
            pages: number - 1,
            reason: pacer.exhausted ? "request-cap" : "deadline",
          });
          break;
        }
        const page = await deps.client.followLink(link, deadline, { pacer });
        await record(number, page.body);
        link = pagingObjects(page.body)
          .map(nextOf)
          .find((next) => next !== undefined);
      }
    }
    outcome.succeeded++;
  } catch (error) {
    if (error instanceof EmitError) throw error.cause;
    if (error instanceof PacingStop) {
      // Not reached: nothing fetched is skipped; a query with pages keeps them and succeeds.
      deps.log.warn("The pacer stopped a search", {
        index: query.index,
        pages,
        reason: error.reason,
      });
      if (pages === 0) outcome.skipped.push(skipped(query, error.reason));
      else outcome.succeeded++;
      return;
    }
    if (error instanceof CooldownError) {
      // Nothing was sent: like the pacer's stop, this query (unless it has pages) and the rest
      // wait for a later run.
      stop.window ??= error;
      if (pages === 0) outcome.skipped.push(skipped(query, "rate-limit-window"));
      else outcome.succeeded++;
      return;
    }
    const status = error instanceof ServiceError ? error.status : 500;
    const message = error instanceof ServiceError ? error.message : "Internal error";
    if (!(error instanceof ServiceError))
      deps.log.error("Unexpected error in a batch search", {
        index: query.index,
        error: String(error),
      });
    // Pages already fetched for a query that failed later are kept: they are real data.
    outcome.failures.push({
      index: query.index,
      q: query.params.q,
      type: query.params.types.join(","),
      status,
      message,
    });
  } finally {
    outcome.pages += pages;
    outcome.items += items;
  }
}

function skipReason(
  settings: BatchRunSettings,
  deadline: Deadline,
  stop: { window?: CooldownError },
): SkipReason | undefined {
  if (stop.window) return "rate-limit-window";
  if (settings.pacer.exhausted) return "request-cap";
  if (deadline.remainingMs() < settings.minTimeToStartMs) return "deadline";
  return undefined;
}

function skipped(query: BatchQuery, reason: SkipReason): SkippedQuery {
  return { index: query.index, q: query.params.q, type: query.params.types.join(","), reason };
}

function nextOf(paging: Record<string, unknown>): string | undefined {
  return typeof paging.next === "string" && paging.next !== "" ? paging.next : undefined;
}

function countItems(body: unknown): number {
  return pagingObjects(body).reduce(
    (sum, paging) =>
      sum + (Array.isArray(paging.items) ? paging.items.filter((item) => item !== null).length : 0),
    0,
  );
}

function pagingObjects(body: unknown): Record<string, unknown>[] {
  if (!isRecord(body)) return [];
  return Object.values(body).filter(
    (value): value is Record<string, unknown> => isRecord(value) && "items" in value,
  );
}

function describeEntry(entry: unknown): { q?: string; type?: string } {
  const { q, type } = asRecord(entry);
  return {
    q: typeof q === "string" ? q : undefined,
    type: typeof type === "string" ? type : undefined,
  };
}

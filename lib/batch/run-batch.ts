import type { Clock } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import { ServiceError } from "../errors.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { asRecord, isRecord } from "../records.ts";
import type { SearchParams } from "../search/search-params.ts";
import type { SpotifyClient } from "../spotify/spotify-client.ts";
import type { BatchQuery, InvalidEntry } from "./parse-batch.ts";

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

export interface BatchOutcome {
  lines: ResultLine[];
  succeeded: number;
  failures: QueryFailure[];
  skipped: { index: number; q: string; type: string }[];
  items: number;
}

export interface BatchRunDeps {
  client: SpotifyClient;
  clock: Clock;
  log: Log;
  metrics: MetricsSink;
}

/** No new search starts with less than this left before the batch's own deadline. */
export const MIN_TIME_TO_START_MS = 1_000;

/**
 * Runs the searches with bounded concurrency on the shared client (one token, one cooldown, one
 * policy). Stops starting searches when time runs short and reports what it did not run.
 */
export async function runBatch(
  runId: string,
  queries: readonly BatchQuery[],
  invalid: readonly InvalidEntry[],
  deadline: Deadline,
  concurrency: number,
  deps: BatchRunDeps,
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = {
    lines: [],
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
  const worker = async () => {
    for (let query = queries[next++]; query !== undefined; query = queries[next++]) {
      if (deadline.remainingMs() < MIN_TIME_TO_START_MS) {
        outcome.skipped.push({
          index: query.index,
          q: query.params.q,
          type: query.params.types.join(","),
        });
        continue;
      }
      await runQuery(runId, query, deadline, deps, outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queries.length) }, worker));
  outcome.lines.sort((a, b) => a.query_index - b.query_index || a.page - b.page);
  outcome.failures.sort((a, b) => a.index - b.index);
  outcome.skipped.sort((a, b) => a.index - b.index);
  return outcome;
}

async function runQuery(
  runId: string,
  query: BatchQuery,
  deadline: Deadline,
  deps: BatchRunDeps,
  outcome: BatchOutcome,
): Promise<void> {
  const lines: ResultLine[] = [];
  const record = (page: number, body: unknown) =>
    lines.push({
      run_id: runId,
      query_index: query.index,
      query: query.params,
      page,
      fetched_at: new Date(deps.clock.now()).toISOString(),
      body,
    });
  try {
    const first = await deps.client.search(query.params, deadline);
    record(1, first.body);
    // Each type pages on its own: Spotify's `next` link names only its own type.
    for (const paging of pagingObjects(first.body)) {
      let link = nextOf(paging);
      for (let number = 2; number <= query.pages && link !== undefined; number++) {
        if (deadline.remainingMs() < MIN_TIME_TO_START_MS) {
          deps.log.warn("Stopped following pages: the deadline is near", {
            index: query.index,
            pages: number - 1,
          });
          break;
        }
        const page = await deps.client.followLink(link, deadline);
        record(number, page.body);
        link = pagingObjects(page.body)
          .map(nextOf)
          .find((next) => next !== undefined);
      }
    }
    outcome.lines.push(...lines);
    outcome.succeeded++;
    outcome.items += lines.reduce((sum, line) => sum + countItems(line.body), 0);
  } catch (error) {
    const status = error instanceof ServiceError ? error.status : 500;
    const message = error instanceof ServiceError ? error.message : "Internal error";
    if (!(error instanceof ServiceError))
      deps.log.error("Unexpected error in a batch search", {
        index: query.index,
        error: String(error),
      });
    // Pages already fetched for a query that failed later are kept: they are real data.
    outcome.lines.push(...lines);
    outcome.failures.push({
      index: query.index,
      q: query.params.q,
      type: query.params.types.join(","),
      status,
      message,
    });
  }
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

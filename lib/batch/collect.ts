import type { Clock } from "../clock.ts";
import type { ScheduledConfig } from "../config.ts";
import { Deadline } from "../deadline.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { MIN_ATTEMPT_MS } from "../spotify/policy.ts";
import type { SpotifyClient } from "../spotify/spotify-client.ts";
import { CollectionFailedError, type CollectionSummary } from "./collection-summary.ts";
import { parseBatch, parseBatchText } from "./parse-batch.ts";
import { RequestPacer } from "./request-pacer.ts";
import type {
  QueriesSource,
  ResultsStorage,
  ResultsWriter,
  StoreResult,
} from "./results-storage.ts";
import { type ResultLine, runBatch } from "./run-batch.ts";
import type { ScheduledRun } from "./scheduled-event.ts";

export interface CollectDeps {
  client: SpotifyClient;
  clock: Clock;
  /** SPOTIFY_MAX_LIMIT: the largest page a batch entry may ask for. */
  maxLimit: number;
  config: ScheduledConfig;
  parameters: QueriesSource;
  store: ResultsStorage | undefined;
  log: Log;
  metrics: MetricsSink;
}

/** Bounds of the time kept back from the searches for finishing the results upload. */
export const MIN_WRITE_RESERVE_MS = 250;
export const MAX_WRITE_RESERVE_MS = 3_000;
/** Bounds of the time a search (or page) must have left to start. */
export const MAX_TIME_TO_START_MS = 1_000;

/**
 * The write reserve, sized from the run's budget and from what finishing actually took last time
 * (twice over): a tenth of the budget, within [MIN_WRITE_RESERVE_MS, MAX_WRITE_RESERVE_MS], never
 * more than half the budget. Pages are uploaded as they arrive, so only the last part and the
 * completion remain at the end.
 */
export function writeReserveMs(budgetMs: number, lastFinishMs = 0): number {
  const wanted = Math.max(MIN_WRITE_RESERVE_MS, budgetMs / 10, 2 * lastFinishMs);
  return Math.round(Math.max(0, Math.min(MAX_WRITE_RESERVE_MS, wanted, budgetMs / 2)));
}

/** A quarter of the search budget, within [MIN_ATTEMPT_MS, MAX_TIME_TO_START_MS]. */
export function minTimeToStartMs(searchBudgetMs: number): number {
  return Math.round(Math.min(MAX_TIME_TO_START_MS, Math.max(MIN_ATTEMPT_MS, searchBudgetMs / 4)));
}

export async function collect(
  run: ScheduledRun,
  deadline: Deadline,
  deps: CollectDeps,
): Promise<CollectionSummary> {
  const { clock, config, log, metrics, maxLimit } = deps;
  const started = clock.now();
  const fromEvent = run.queries !== undefined;
  const source = fromEvent ? "The event's queries" : `SSM parameter ${config.queriesParameter}`;
  const batch = fromEvent
    ? parseBatch(run.queries, source, maxLimit)
    : parseBatchText(
        await deps.parameters.read(config.queriesParameter, deadline.signal()),
        source,
        maxLimit,
      );
  for (const entry of batch.invalid)
    log.warn("Invalid batch entry", { index: entry.index, error: entry.message });

  const budgetMs = deadline.remainingMs();
  const reserveMs = writeReserveMs(budgetMs, deps.store?.lastFinishMs);
  const searchDeadline = new Deadline(deadline.at - reserveMs, clock);
  const pacer = new RequestPacer(clock, {
    requestsPerSecond: config.requestsPerSecond,
    maxRequests: config.maxRequests,
  });
  const key = deps.store?.keyFor(run.runId, run.startedAt);
  // Opened on the first page, so a run that fetched nothing starts no upload.
  let upload: ResultsWriter | undefined;
  const emit = async (line: ResultLine) => {
    if (!deps.store || key === undefined) return;
    upload ??= deps.store.open(key);
    await upload.write(`${JSON.stringify(line)}\n`);
  };

  let outcome: Awaited<ReturnType<typeof runBatch>>;
  try {
    outcome = await runBatch(
      run.runId,
      batch.queries,
      batch.invalid,
      searchDeadline,
      {
        concurrency: config.concurrency,
        minTimeToStartMs: minTimeToStartMs(searchDeadline.remainingMs()),
        pacer,
      },
      { client: deps.client, clock, log, metrics, emit },
    );
  } catch (error) {
    await upload?.abort();
    throw error;
  }

  const failed = outcome.succeeded === 0 && outcome.failures.length + outcome.skipped.length > 0;
  let stored: StoreResult | undefined;
  // A failed run stores nothing (the upload is aborted), so its retry starts clean and no reader
  // sees half a run.
  if (upload && failed) await upload.abort();
  else if (upload) {
    try {
      stored = await upload.finish(deadline.signal());
    } catch (error) {
      await upload.abort();
      throw error;
    }
    if (stored === "already-stored") {
      log.warn("The run's results object already exists; it was left as it was", { key });
    }
  }
  const object = stored && deps.store && key !== undefined ? deps.store.uri(key) : null;
  const summary: CollectionSummary = {
    runId: run.runId,
    source: fromEvent ? "event" : config.queriesParameter,
    succeeded: outcome.succeeded,
    failed: outcome.failures.length,
    skipped: outcome.skipped.length,
    items: outcome.items,
    pages: outcome.pages,
    durationMs: clock.now() - started,
    object,
    alreadyStored: stored === "already-stored",
    requests: pacer.requests,
    failures: outcome.failures,
    skippedQueries: outcome.skipped,
  };
  metrics.count("ScheduledSucceeded", summary.succeeded);
  metrics.count("ScheduledFailed", summary.failed);
  metrics.count("ScheduledSkipped", summary.skipped);
  metrics.count("ScheduledItems", summary.items);
  if (failed) {
    throw new CollectionFailedError("No search of the batch succeeded", summary);
  }
  return summary;
}

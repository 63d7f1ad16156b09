import type { SpotifyRuntime } from "../app/runtime.ts";
import type { ParameterCache } from "../aws/parameter-cache.ts";
import type { ResultsStore } from "../aws/results-store.ts";
import type { ScheduledConfig } from "../config.ts";
import { Deadline } from "../deadline.ts";
import { CollectionFailedError } from "../errors.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { parseBatch, parseBatchText } from "./parse-batch.ts";
import { type QueryFailure, runBatch } from "./run-batch.ts";
import type { ScheduledRun } from "./scheduled-event.ts";

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
  failures: QueryFailure[];
  skippedQueries: { index: number; q: string; type: string }[];
}

export interface CollectDeps {
  spotify: SpotifyRuntime;
  config: ScheduledConfig;
  parameters: ParameterCache;
  store: ResultsStore | undefined;
  log: Log;
  metrics: MetricsSink;
}

/** Time kept back from the searches for writing the results. */
export const WRITE_RESERVE_MS = 3_000;

export async function collect(
  run: ScheduledRun,
  deadline: Deadline,
  deps: CollectDeps,
): Promise<CollectionSummary> {
  const { spotify, config, log, metrics } = deps;
  const started = spotify.clock.now();
  const maxLimit = spotify.config.maxLimit;
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

  const searchDeadline = new Deadline(deadline.at - WRITE_RESERVE_MS, spotify.clock);
  const outcome = await runBatch(
    run.runId,
    batch.queries,
    batch.invalid,
    searchDeadline,
    config.concurrency,
    {
      client: spotify.client,
      clock: spotify.clock,
      log,
      metrics,
    },
  );

  const failed = outcome.succeeded === 0 && outcome.failures.length + outcome.skipped.length > 0;
  let object: string | null = null;
  // A failed run writes nothing, so its retry starts clean and no reader sees half a run.
  if (deps.store && outcome.lines.length > 0 && !failed) {
    object = await deps.store.write(
      deps.store.keyFor(run.runId, run.startedAt),
      outcome.lines,
      deadline.signal(),
    );
  }
  const summary: CollectionSummary = {
    runId: run.runId,
    source: fromEvent ? "event" : config.queriesParameter,
    succeeded: outcome.succeeded,
    failed: outcome.failures.length,
    skipped: outcome.skipped.length,
    items: outcome.items,
    pages: outcome.lines.length,
    durationMs: spotify.clock.now() - started,
    object,
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

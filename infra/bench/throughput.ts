/**
 * Scheduled throughput under a rate limit: the emulator admits 10 searches per 1,000 ms (Spotify's
 * rolling 30 s window, scaled down) while a warm ScheduledFunction runs a batch of one-page
 * searches. Sustained rate = (admitted − one window's worth) / (last − first admitted), against
 * the window's maximum.
 */
import { type Measurement, runContainer, stepsOf } from "./child.ts";
import { row } from "./report.ts";

const WINDOW = { windowMs: 1000, maxRequests: 10 };

export const scheduledThroughput: Measurement = {
  name: "throughput",
  run: async (bench) => {
    const searches = bench.quick ? 30 : 100;
    bench.progress(
      `throughput: ${searches} searches, ${WINDOW.maxRequests} per ${WINDOW.windowMs} ms`,
    );
    const queries = Array.from({ length: searches }, (_, i) => ({
      q: `bench ${i}`,
      type: "track",
    }));
    const { emulator } = bench;
    emulator.setRateLimit(WINDOW);
    try {
      const [, batch] = stepsOf(
        await runContainer(
          bench,
          bench.scheduled,
          bench.scheduled.bundle,
          {
            mode: "steps",
            steps: [
              // Warm the container (secret, token, queries); then let the window empty.
              {
                event: { id: "bench-warm", queries: [{ q: "warm", type: "artist" }] },
                pauseBeforeMs: 0,
              },
              { event: { id: "bench-batch", queries }, pauseBeforeMs: WINDOW.windowMs + 100 },
            ],
          },
          // Its own pace (template default 5/s) set to the window's, to see how it fills it.
          {
            label: "throughput-ScheduledFunction",
            env: { BATCH_REQUESTS_PER_SECOND: String(WINDOW.maxRequests) },
          },
        ),
      );
      const summary = batch?.summary as { succeeded?: number } | undefined;
      if (batch?.outcome !== "ok" || summary?.succeeded !== searches) {
        throw new Error(`the throughput batch did not succeed: ${JSON.stringify(batch)}`);
      }
      const admitted = emulator.requests
        .filter(
          (r) => r.endpoint === "search" && r.status === 200 && r.query.q?.startsWith("bench "),
        )
        .map((r) => r.receivedAt);
      const first = admitted[0] ?? Number.NaN;
      const last = admitted.at(-1) ?? Number.NaN;
      const perSecond = ((admitted.length - WINDOW.maxRequests) * 1000) / (last - first);
      const maximum = (WINDOW.maxRequests * 1000) / WINDOW.windowMs;
      const figure = `scheduled searches/s under a ${WINDOW.maxRequests}-per-second window`;
      return {
        rows: [row(figure, "per-second", perSecond, maximum)],
        details: {
          ...WINDOW,
          searches,
          admitted: admitted.length,
          batchMs: batch.end - batch.start,
        },
      };
    } finally {
      emulator.setRateLimit(null);
    }
  },
};

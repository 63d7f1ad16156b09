/**
 * Warm SearchFunction, caching off (child.ts): one container invoked many times with
 * events/search-http-api.json, each invocation paired with a bare `fetch` of the same emulator
 * URL with a valid token (the floor), the pair's order alternating. p50 and p99 of each; ratio =
 * handler / bare fetch.
 */
import { CACHING_OFF, event, type Measurement, runContainer } from "./child.ts";
import { median, quantile, row } from "./report.ts";

const TARGETS = { p50: 1.15, p99: 1.5 };

export const warmInvocations: Measurement = {
  name: "warm",
  run: async (bench) => {
    const pairs = bench.quick ? 500 : 5000;
    bench.progress(`warm: ${pairs} invocations and as many bare fetches, interleaved`);
    const result = await runContainer(
      bench,
      bench.search,
      bench.search.bundle,
      {
        mode: "warm",
        event: event("search-http-api.json"),
        warmup: 200,
        pairs,
        fetchUrl: bench.searchUrl,
        token: bench.emulator.issueToken(),
      },
      { label: "warm-SearchFunction", env: CACHING_OFF, nodeArgs: bench.warmNodeArgs },
    );
    if (result.mode !== "warm" || result.outcomes.join() !== "200") {
      throw new Error(`warm invocations were not all 200: ${JSON.stringify(result)}`);
    }
    const { handlerMs, fetchMs } = result;
    const id = `SearchFunction warm, caching off, ${pairs} invocations`;
    const rows = [
      row(`${id}: p50`, "ms", median(handlerMs), median(fetchMs), TARGETS.p50),
      row(`${id}: p99`, "ms", quantile(handlerMs, 0.99), quantile(fetchMs, 0.99), TARGETS.p99),
    ];
    // The median of per-pair differences: the overhead with drift between pairs cancelled out.
    const overheadMs = median(handlerMs.map((ms, i) => ms - (fetchMs[i] ?? Number.NaN)));
    const summary = (ms: number[]) => ({
      p50: median(ms),
      p90: quantile(ms, 0.9),
      p99: quantile(ms, 0.99),
      max: quantile(ms, 1),
    });
    return {
      rows,
      details: { pairs, overheadMs, handler: summary(handlerMs), fetch: summary(fetchMs) },
    };
  },
};

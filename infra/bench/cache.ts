/**
 * The response cache's figures (the response-cache issue): latency of a tier-1 hit and of a
 * tier-2 hit against a miss, and upstream searches per 1,000 requests on a seeded Zipf(1.0) mix
 * with and without the cache. Tier 2 is the local stack's table on moto, so its hit latency is
 * moto's round trip, not DynamoDB's (single-digit ms in a region).
 */
import { event, type Measurement, runContainer, stepsOf } from "./child.ts";
import { queryCatalogue, seededRandom, zipfSampler } from "./fleet/workload.ts";
import { median, row } from "./report.ts";

/** moto answers in milliseconds where DynamoDB answers in a few: the read timeout follows. */
const CACHE_ON = { CACHE_TTL_SECONDS: "600", CACHE_READ_TIMEOUT_MS: "1000" };
const CACHE_OFF = { CACHE_TTL_SECONDS: "0", CACHE_TABLE_NAME: "" };

/** events/search-http-api.json asking `q` instead. */
function searchFor(q: string): unknown {
  const base = event("search-http-api.json") as Record<string, unknown>;
  const rawQueryString = `q=${encodeURIComponent(q)}&type=artist`;
  return { ...base, rawQueryString, queryStringParameters: { q, type: "artist" } };
}

export const responseCache: Measurement = {
  name: "cache",
  run: async (bench) => {
    const distinct = bench.quick ? 400 : 2_000;
    const requests = bench.quick ? 2_000 : 10_000;
    const probes = bench.quick ? 50 : 200;
    const run = (label: string, env: Record<string, string>, events: unknown[]) =>
      runContainer(
        bench,
        bench.search,
        bench.search.bundle,
        { mode: "steps", steps: events.map((e) => ({ event: e, pauseBeforeMs: 0 })) },
        { label, env, timeoutMs: 600_000 },
      ).then(stepsOf);
    const ms = (steps: { start: number; end: number }[]) => steps.map((s) => s.end - s.start);

    bench.progress(`cache: ${probes} misses, then as many tier-2 and tier-1 hits`);
    const fresh = Array.from({ length: probes }, (_, i) =>
      searchFor(`cache-bench ${Date.now()} ${i}`),
    );
    const misses = ms(await run("cache-misses", CACHE_ON, fresh));
    // A new container: tier 1 is empty, tier 2 holds every answer.
    const shared = ms(await run("cache-tier2", CACHE_ON, [...fresh, ...fresh]));
    const tier2 = shared.slice(0, probes);
    const tier1 = shared.slice(probes);

    bench.progress(
      `cache: Zipf(1.0), ${requests} requests over ${distinct} queries, with and without`,
    );
    const catalogue = queryCatalogue(distinct, 7);
    const rank = zipfSampler(distinct, 1.0, seededRandom(42));
    const mix = Array.from({ length: requests }, () => searchFor(catalogue[rank() - 1] ?? "x"));
    const upstream = async (label: string, env: Record<string, string>) => {
      const before = bench.emulator.count("search");
      const steps = await run(label, env, mix);
      if (steps.some((s) => s.outcome !== "200"))
        throw new Error(`${label}: not every answer was 200`);
      return ((bench.emulator.count("search") - before) / requests) * 1_000;
    };
    const withCache = await upstream("cache-zipf-on", { ...CACHE_ON, CACHE_TABLE_NAME: "" });
    const without = await upstream("cache-zipf-off", CACHE_OFF);

    const rows = [
      row("SearchFunction cache miss (Spotify + table write): p50", "ms", median(misses)),
      row("SearchFunction tier-2 hit (moto's DynamoDB): p50", "ms", median(tier2), median(misses)),
      row("SearchFunction tier-1 hit: p50", "ms", median(tier1), median(misses)),
      row(
        `upstream searches per 1,000, Zipf(1.0) over ${distinct}: cache`,
        "per-thousand",
        withCache,
        without,
      ),
    ];
    return {
      rows,
      details: { distinct, requests, probes, misses, tier2, tier1, withCache, without },
    };
  },
};

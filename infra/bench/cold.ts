/**
 * Cold start: a fresh `node` process per run, from its start to the first invocation done (bundle
 * import, then secret read, token and search: Lambda's Init Duration plus Duration), as deployed
 * and for the floor. Median of N rounds; every variant runs once per round, in an order that
 * rotates from round to round, after one discarded round that warms the file cache, moto and the
 * emulator.
 */
import {
  type Bench,
  type BenchFunction,
  CACHING_OFF,
  event,
  type Measurement,
  runContainer,
  stepsOf,
} from "./child.ts";
import { median, row } from "./report.ts";

const TARGET = 1.2;

interface Variant {
  key: string;
  fn: BenchFunction;
  floor: boolean;
  expect: string;
}

async function coldStart(bench: Bench, variant: Variant): Promise<number> {
  const isSearch = variant.fn === bench.search;
  const result = await runContainer(
    bench,
    variant.fn,
    variant.floor ? variant.fn.floor : variant.fn.bundle,
    {
      mode: "steps",
      steps: [
        { event: event(isSearch ? "search-http-api.json" : "scheduled.json"), pauseBeforeMs: 0 },
      ],
    },
    {
      label: `cold-${variant.key}`,
      // The batch's own pacing is a deliberate wait, not start-up: off here, as in the floor.
      env: isSearch
        ? { ...CACHING_OFF, BENCH_SEARCH_URL: bench.searchUrl }
        : { BATCH_REQUESTS_PER_SECOND: "1000" },
    },
  );
  const first = stepsOf(result)[0];
  if (first?.outcome !== variant.expect) {
    throw new Error(`cold ${variant.key}: ${first?.outcome} ${JSON.stringify(first?.summary)}`);
  }
  // INIT plus the first invocation, as Lambda reports them: the ~2–3 ms the parent takes to send
  // the first event after INIT is the local host's, not the function's.
  return result.initMs + (first.end - first.start);
}

export const coldStarts: Measurement = {
  name: "cold",
  run: async (bench) => {
    const runs = bench.quick ? 3 : 15;
    const variants: Variant[] = [bench.search, bench.scheduled].flatMap((fn) => {
      const expect = fn === bench.search ? "200" : "ok";
      const id = fn.spec.logicalId;
      return [
        { key: `${id}-deployed`, fn, floor: false, expect },
        { key: `${id}-floor`, fn, floor: true, expect },
      ];
    });
    const samples = new Map<string, number[]>(variants.map((v) => [v.key, []]));
    for (let round = -1; round < runs; round++) {
      const shift = Math.max(0, round) % variants.length;
      for (const variant of [...variants.slice(shift), ...variants.slice(0, shift)]) {
        const ms = await coldStart(bench, variant);
        if (round >= 0) samples.get(variant.key)?.push(ms);
      }
      bench.progress(`cold starts: round ${round + 1}/${runs}${round < 0 ? " (warm-up)" : ""}`);
    }
    const rows = [bench.search, bench.scheduled].map(({ spec }) =>
      row(
        `${spec.logicalId} cold start, median of ${runs}`,
        "ms",
        median(samples.get(`${spec.logicalId}-deployed`) ?? []),
        median(samples.get(`${spec.logicalId}-floor`) ?? []),
        TARGET,
      ),
    );
    return { rows, details: Object.fromEntries(samples) };
  },
};

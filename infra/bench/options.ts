/** Command-line options of `npm run bench`. */
import { resolve } from "node:path";
import { PROJECT_ROOT } from "../template.ts";

export interface BenchOptions {
  quick: boolean;
  /** Where the JSON report goes. */
  out: string;
  /** Exit 1 when a target is missed (by default only errors fail the bench). */
  strict: boolean;
  /** Measured cold starts per variant (the median is reported). */
  coldRuns: number;
  /** Measured sequential warm invocations per variant (and as many floor fetches). */
  warmInvocations: number;
  /** Warm invocations before measuring (after the first, cold, one). */
  warmup: number;
  /** Searches in the scheduled throughput run. */
  throughputSearches: number;
  /** Run the token-lifetime check (a few seconds of invocations across short token lifetimes). */
  tokenLifetime: boolean;
  /** CPU-profile one warm SearchFunction container and say where an invocation's time goes. */
  profile: boolean;
}

export const USAGE = `npm run bench [-- options]

  --quick            fewer runs (BENCH_QUICK=1 does the same); finishes in well under a minute
  --out FILE         JSON report (default bench-results/bench.json)
  --strict           exit 1 when a target is missed (errors always exit 1)
  --cold-runs N      cold starts per variant (default 15, quick 3)
  --warm N           measured warm invocations per variant (default 2000, quick 200)
  --searches N       searches in the scheduled throughput run (default 100, quick 30)
  --profile          CPU-profile a warm SearchFunction container (default in full mode)
  --no-profile       skip the profile
  --help             this text`;

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer`);
  return n;
}

export function parseOptions(argv: readonly string[], env = process.env): BenchOptions | "help" {
  const quick = argv.includes("--quick") || env.BENCH_QUICK === "1" || env.BENCH_QUICK === "true";
  const options: BenchOptions = {
    quick,
    out: resolve(PROJECT_ROOT, "bench-results/bench.json"),
    strict: false,
    coldRuns: quick ? 3 : 15,
    warmInvocations: quick ? 200 : 2000,
    warmup: 100,
    throughputSearches: quick ? 30 : 100,
    tokenLifetime: !quick,
    profile: !quick,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case "--quick":
        break;
      case "--strict":
        options.strict = true;
        break;
      case "--out":
        options.out = resolve(process.cwd(), argv[++i] ?? "");
        if (argv[i] === undefined) throw new Error("--out needs a file");
        break;
      case "--cold-runs":
        options.coldRuns = positive(arg, argv[++i]);
        break;
      case "--warm":
        options.warmInvocations = positive(arg, argv[++i]);
        break;
      case "--searches":
        options.throughputSearches = positive(arg, argv[++i]);
        break;
      case "--profile":
        options.profile = true;
        break;
      case "--no-profile":
        options.profile = false;
        break;
      case "--help":
      case "-h":
        return "help";
      default:
        throw new Error(`unknown option ${arg}\n\n${USAGE}`);
    }
  }
  return options;
}

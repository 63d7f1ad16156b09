/**
 * `npm run bench [-- --quick] [--out FILE] [--cpu-prof] [--fleet]`: the figures of the README's
 * performance table, each beside its floor, measured on the local stack (moto and the Spotify
 * emulator). Prints the table on stdout (progress on stderr) and writes bench-results/bench.json.
 * Method: infra/bench/README.md. A figure is one `Measurement` (child.ts) in the list below.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildContainerHost, killLiveContainers } from "../local/container.ts";
import { startLocalStack } from "../local/stack.ts";
import { functionOf, loadTemplate, PROJECT_ROOT } from "../template/template.ts";
import { buildBundles, bundleSizes } from "./bundles.ts";
import { responseCache } from "./cache.ts";
import { type Bench, type Measurement, probeSearchUrl } from "./child.ts";
import { coldStarts } from "./cold.ts";
import { pagingLinks } from "./links.ts";
import { type Row, renderTable } from "./report.ts";
import { scheduledThroughput } from "./throughput.ts";
import { warmInvocations } from "./warm.ts";

const MEASUREMENTS: Measurement[] = [
  bundleSizes,
  coldStarts,
  warmInvocations,
  pagingLinks,
  responseCache,
  scheduledThroughput,
];

const USAGE = `npm run bench [-- options]
  --quick      fewer runs, for CI (about 20 s)
  --out FILE   the JSON report (default bench-results/bench.json)
  --cpu-prof   also write a CPU profile of the warm SearchFunction container beside the report
  --fleet      run the fleet benchmark (infra/bench/fleet/main.ts) instead`;

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

function options() {
  return parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string", default: resolve(PROJECT_ROOT, "bench-results/bench.json") },
      "cpu-prof": { type: "boolean", default: false },
      fleet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  }).values;
}

async function main(): Promise<number> {
  let values: ReturnType<typeof options>;
  try {
    values = options();
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.fleet) return fleet(values.quick);

  const started = Date.now();
  const out = resolve(values.out);
  // Beside the report and named after it, so runs with different --out never share files.
  const filesDir = join(dirname(out), `${basename(out, ".json")}.files`);
  rmSync(filesDir, { recursive: true, force: true });
  mkdirSync(filesDir, { recursive: true });

  progress("building the bundles and their floors");
  const template = loadTemplate();
  const search = functionOf(template, "SearchFunction");
  const scheduled = functionOf(template, "ScheduledFunction");
  const build = join(filesDir, "build");
  const [searchBundles, scheduledBundles, hostFile] = await Promise.all([
    buildBundles(search, build),
    buildBundles(scheduled, build),
    buildContainerHost(filesDir),
  ]);

  progress("starting moto and the Spotify emulator");
  const stack = await startLocalStack();
  const onSignal = () => {
    killLiveContainers();
    void stack.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    if (!stack.emulator) throw new Error("the local stack started without the Spotify emulator");
    const bench: Bench = {
      quick: values.quick,
      template,
      search: { spec: search, ...searchBundles },
      scheduled: { spec: scheduled, ...scheduledBundles },
      stack,
      emulator: stack.emulator,
      searchUrl: "",
      filesDir,
      hostFile,
      warmNodeArgs: values["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${filesDir}`] : [],
      progress,
    };
    bench.searchUrl = await probeSearchUrl(bench);

    const rows: Row[] = [];
    const details: Record<string, unknown> = {};
    for (const measurement of MEASUREMENTS) {
      const result = await measurement.run(bench);
      rows.push(...result.rows);
      details[measurement.name] = result.details;
    }

    const mode = values.quick ? "quick" : "full";
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const machine = `node ${process.version}, ${process.arch}, ${availableParallelism()} × ${cpus()[0]?.model ?? "cpu"}`;
    console.log(`Benchmark (${mode}), ${machine}, ${seconds} s\n\n${renderTable(rows)}`);
    const report = {
      schema: 2,
      generatedAt: new Date().toISOString(),
      mode,
      machine,
      rows,
      details,
    };
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    progress(
      `wrote ${relative(process.cwd(), out)}; the functions' output is in ${relative(process.cwd(), filesDir)}/`,
    );
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    killLiveContainers();
    await stack.stop();
  }
}

/** `--fleet`: the fleet simulation (infra/bench/fleet/), which prints its own tables. */
async function fleet(quick: boolean): Promise<number> {
  const { runFleet } = await import("./fleet/main.ts");
  await runFleet({ quick });
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    killLiveContainers();
    console.error(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
    );
    process.exitCode = 1;
  },
);

import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { totalFor } from "../local/emulator/search.ts";
import { lambdaContext } from "../local/lambda-context.ts";
import { startLocalStack } from "../local/stack.ts";
import { functionOf, loadTemplate } from "../template/template.ts";
import { containerEnvironment } from "./environment.ts";

/**
 * `npx tsx infra/bench/batch-memory.ts [--pages 2000]`: peak RSS of one scheduled run that collects that
 * many Spotify pages (emulator) into S3 (moto), against a run of one page. Each run is a fresh
 * Node process (the child mode of this script), so its `maxRSS` is the run's own peak.
 */
const { values } = parseArgs({
  options: {
    pages: { type: "string", default: "2000" },
    child: { type: "boolean", default: false },
    /** Caps the run's V8 heap: a run whose memory is bounded still completes under a small cap. */
    "heap-mib": { type: "string" },
  },
});
/** With limit 10, Spotify's `next` links stop at offset 990: 99 pages at most. */
const PAGES_PER_QUERY = 99;

/** Queries whose emulated result count reaches offset 1000, with `pages` pages in all. */
function plan(pages: number) {
  const queries: { q: string; type: string; limit: number; pages: number }[] = [];
  for (let i = 0, left = pages; left > 0 && i < 10_000; i++) {
    const q = `love ${i}`;
    if (totalFor(q, "track") < 1000) continue;
    const take = Math.min(PAGES_PER_QUERY, left);
    queries.push({ q, type: "track", limit: 10, pages: take });
    left -= take;
  }
  return queries;
}

if (values.child) {
  const pages = Number(values.pages);
  const queries = plan(pages);
  const { handler } = await import("../../handlers/scheduled.ts");
  // The longest a Lambda function may run, so the deadline never cuts a large run short.
  const context = lambdaContext(900_000, Date.now, {
    functionName: "ScheduledFunction",
    memoryMb: Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE),
  });
  const before = process.memoryUsage().rss;
  const liveBefore = liveHeapMiB();
  const started = performance.now();
  const summary = await handler({ id: `memory-${pages}-${Date.now()}`, queries }, context);
  const result = {
    pages: summary.pages,
    object: summary.object !== null,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    rssBeforeMiB: Math.round(before / 2 ** 20),
    liveHeapBeforeMiB: liveBefore,
    peakRssMiB: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    liveHeapAfterMiB: liveHeapMiB(),
  };
  process.stderr.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** Heap still reachable after a full collection (the child runs with --expose-gc). */
function liveHeapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
}

const stack = await startLocalStack();
try {
  for (const pages of [1, Number(values.pages)]) {
    // The environment the template gives the function (as the bench's containers get it).
    const template = loadTemplate();
    const fn = functionOf(template, "ScheduledFunction");
    const result = await runChild(pages, {
      ...containerEnvironment(fn, template, stack.resources, stack.env),
      POWERTOOLS_LOG_LEVEL: "ERROR",
      POWERTOOLS_METRICS_DISABLED: "true",
      SPOTIFY_MAX_LIMIT: "10",
      BATCH_CONCURRENCY: "4",
      BATCH_REQUESTS_PER_SECOND: "1000",
      BATCH_MAX_REQUESTS: "100000",
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
} finally {
  await stack.stop();
}

function runChild(pages: number, env: NodeJS.ProcessEnv): Promise<unknown> {
  const heap = values["heap-mib"] ? [`--max-old-space-size=${values["heap-mib"]}`] : [];
  const args = [
    ...heap,
    "--import",
    "tsx",
    import.meta.filename,
    "--child",
    "--pages",
    String(pages),
  ];
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      const line = stderr.split("\n").find((l) => l.startsWith("RESULT "));
      if (code === 0 && line) resolve(JSON.parse(line.slice("RESULT ".length)));
      else reject(new Error(`the run of ${pages} pages failed (exit ${code}):\n${stderr}`));
    });
  });
}

import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { buildIfStale } from "../../infra/build/build-cache.ts";
import { CAPTURE_DIR } from "../support/leak-scan.ts";

const root = join(import.meta.dirname, "../..");
const children = new Set<ChildProcess>();

// Whatever a failed test left running is stopped by its process group (npm and all under it).
afterAll(async () => {
  for (const child of children) {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }
  }
});

/** Runs an npm script as a user would; its output also goes to the suite's leak scan. */
function npm(args: string[]): {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
} {
  let stdout = "";
  let stderr = "";
  // Its own process group, so a signal reaches npm and everything under it, as Ctrl-C would.
  const started = spawn("npm", args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.add(started);
  const capture = join(CAPTURE_DIR, `npm-${args.join("-").replace(/[^\w-]/g, "_")}.log`);
  started.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    appendFileSync(capture, chunk);
  });
  started.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    appendFileSync(capture, chunk);
  });
  return { process: started, stdout: () => stdout, stderr: () => stderr };
}

// The cases run at once, and on a busy machine each waits for the others' CPU: hence 90 s each.
const timeout = 90_000;

/**
 * The invocations seed the suite's moto (`--aws-endpoint`) instead of starting one each, and find
 * the bundles built once here (as `npm run invoke` reuses an unchanged build): the local stack's
 * own start and stop by PID is what `npm start` above shows.
 */
describe.concurrent("npm run invoke", { timeout }, () => {
  beforeAll(async () => {
    await buildIfStale("SearchFunction", { logLevel: "silent" });
    await buildIfStale("ScheduledFunction", { logLevel: "silent" });
  }, 60_000);

  async function invoke(logicalId: string, event: string) {
    const args = ["run", "--silent", "invoke", "--", logicalId, event];
    const run = npm([...args, "--aws-endpoint", inject("motoEndpoint")]);
    const code = await new Promise<number | null>((resolve) => run.process.once("exit", resolve));
    return { code, result: JSON.parse(run.stdout()), stderr: run.stderr() };
  }

  it("SearchFunction with the HTTP API sample event prints a 200 result", async ({ expect }) => {
    const { code, result } = await invoke("SearchFunction", "events/search-http-api.json");

    expect(code).toBe(0);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).artists.items.length).toBeGreaterThan(0);
  });

  it("SearchFunction with the REST API sample event prints a 200 result", async ({ expect }) => {
    const { code, result } = await invoke("SearchFunction", "events/search-rest-api.json");

    expect(code).toBe(0);
    expect(result.statusCode).toBe(200);
    expect(Object.keys(JSON.parse(result.body)).sort()).toEqual(["albums", "tracks"]);
  });

  it("SearchFunction with the bad-request sample event prints a 400 naming the parameter", async ({
    expect,
  }) => {
    const { code, result } = await invoke("SearchFunction", "events/search-bad-request.json");

    expect(code).toBe(0);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error.message).toMatch(/colour/);
  });

  it.for(["events/scheduled.json", "events/scheduled-custom-queries.json"])(
    "ScheduledFunction with %s runs the batch on the local stack and prints the summary",
    async (event, { expect }) => {
      const { code, result } = await invoke("ScheduledFunction", event);

      expect(code).toBe(0);
      expect(result).toMatchObject({ failed: 0, skipped: 0 });
      expect(result.succeeded).toBeGreaterThan(0);
      expect(result.object).toMatch(
        /^s3:\/\/spotify-search-local-results\/spotify-search\/dt=\d{4}-\d\d-\d\d\/run=.+\.jsonl$/,
      );
    },
  );

  it("an unknown function is a clear error", async ({ expect }) => {
    const run = npm([
      "run",
      "--silent",
      "invoke",
      "--",
      "NoSuchFunction",
      "events/search-http-api.json",
    ]);
    const code = await new Promise<number | null>((resolve) => run.process.once("exit", resolve));

    expect(code).not.toBe(0);
    expect(run.stderr()).toMatch(/NoSuchFunction/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bundle } from "../../infra/bench/bundles.ts";
import { type Bench, runContainer, stepsOf } from "../../infra/bench/child.ts";
import { quantile, row } from "../../infra/bench/report.ts";
import { buildContainerHost } from "../../infra/local/container.ts";
import type { LocalStack } from "../../infra/local/stack.ts";
import { functionOf, loadTemplate } from "../../infra/template/template.ts";

/**
 * The bench's own machinery, fast (`npm run bench -- --quick` in .ci/run covers the whole run):
 * the container host in a fresh `node` process on a stub bundle, and the arithmetic of the table.
 */
describe("the bench runner", () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-test-"));
  let server: Server;
  let fetches = 0;
  let bench: Bench;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      fetches++;
      response.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    // A handler that answers 200 only for the event, Lambda context and environment it expects.
    const file = join(dir, "stub.mjs");
    writeFileSync(
      file,
      `export const handler = async (event, context) => ({ body: "{}", statusCode:
        event.q === 1 && context.functionName === "SearchFunction" &&
        context.getRemainingTimeInMillis() > 20000 &&
        process.env.SPOTIFY_SECRET_ID === "the-local-secret" &&
        process.env.AWS_LAMBDA_FUNCTION_NAME === "SearchFunction" ? 200 : 500 });`,
    );
    const stub: Bundle = { file, exportName: "handler", bytes: 0, powertoolsBytes: 0 };
    const template = loadTemplate();
    const search = { spec: functionOf(template, "SearchFunction"), bundle: stub, floor: stub };
    const resources = Object.fromEntries(Object.keys(template.Resources).map((id) => [id, id]));
    const stack: LocalStack = {
      resources: { ...resources, SpotifySecret: "the-local-secret" },
      env: {},
      moto: { endpoint: "", pid: undefined, exited: undefined },
      emulator: undefined,
      stop: async () => undefined,
    };
    bench = {
      quick: true,
      template,
      search,
      scheduled: search,
      stack,
      emulator: undefined as never,
      searchUrl: `http://127.0.0.1:${port}/v1/search`,
      filesDir: dir,
      hostFile: await buildContainerHost(dir),
      warmNodeArgs: [],
      progress: () => undefined,
    };
  }, 30_000);

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("invokes the bundle with the event, a Lambda context and the template's environment", async () => {
    const result = await runContainer(
      bench,
      bench.search,
      bench.search.bundle,
      { mode: "steps", steps: [{ event: { q: 1 }, pauseBeforeMs: 0 }] },
      { label: "steps" },
    );
    const [step] = stepsOf(result);

    expect(step?.outcome).toBe("200");
    expect(step?.end).toBeGreaterThan(step?.start ?? Number.POSITIVE_INFINITY);
    expect(result.timeOrigin).toBeGreaterThan(0);
    // INIT (process start to the bundle imported) ends before the first invocation starts.
    expect(result.initMs).toBeGreaterThan(0);
    expect(result.initMs).toBeLessThanOrEqual(step?.start ?? 0);
  });

  it("warm mode pairs every invocation with one bare fetch of the URL", async () => {
    fetches = 0;
    const result = await runContainer(
      bench,
      bench.search,
      bench.search.bundle,
      {
        mode: "warm",
        event: { q: 1 },
        warmup: 3,
        pairs: 7,
        fetchUrl: bench.searchUrl,
        token: "t",
      },
      { label: "warm" },
    );

    if (result.mode !== "warm") throw new Error("expected a warm result");
    expect(result.handlerMs).toHaveLength(7);
    expect(result.fetchMs).toHaveLength(7);
    expect(result.outcomes).toEqual(["200"]);
    expect(fetches).toBe(10);
  });
});

describe("the table's arithmetic", () => {
  it("quantiles interpolate between closest ranks", () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.99)).toBeCloseTo(4.96);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it("a row meets its target when value / floor is at most the ratio", () => {
    expect(row("x", "ms", 1.1, 1, 1.15)).toMatchObject({ ratio: 1.1, status: "pass" });
    expect(row("x", "ms", 1.2, 1, 1.15)).toMatchObject({ status: "miss" });
    expect(row("x", "ms", 1.2, 1)).toMatchObject({ status: "info" });
  });
});

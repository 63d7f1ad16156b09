import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esbuildOptionsFor } from "../../infra/build/build.ts";
import { functionOf, loadTemplate, PROJECT_ROOT } from "../../infra/template/template.ts";

/**
 * `npm start` as a browser uses it: /docs in headless Chromium (Debian's `chromium`, driven by
 * playwright-core), CORS for CORS_ALLOW_ORIGINS, and the shell's values over the template's. One
 * `npm start` and one browser serve every case.
 */

const SCREENSHOT = join(PROJECT_ROOT, ".build/docs-page.png");
const MAX_LIMIT = 5;
const TTL_SECONDS = 5;

interface Paging {
  href: string;
  next: string | null;
  previous: string | null;
  offset: number;
  limit: number;
  items: { name: string }[];
}

/** Chromium from CHROMIUM_PATH or PATH (Debian's package installs /usr/bin/chromium). */
function findChromium(): string | undefined {
  const given = process.env.CHROMIUM_PATH;
  const candidates = given
    ? [given]
    : (process.env.PATH ?? "")
        .split(delimiter)
        .filter(Boolean)
        .flatMap((dir) => [join(dir, "chromium"), join(dir, "chromium-browser")]);
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A page on its own 127.0.0.1 origin, standing in for a single-page app somewhere else. */
async function appOrigin(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>app</title><p>an app on another origin</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { origin: `http://127.0.0.1:${port}`, server };
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

let npm: ChildProcess | undefined;
let output = "";
let base = "";
let allowed: { origin: string; server: Server };
let refused: { origin: string; server: Server };

beforeAll(async () => {
  allowed = await appOrigin();
  refused = await appOrigin();
  npm = spawn("npm", ["start", "--", "--port", "0"], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      SPOTIFY_CLIENT_ID: "",
      SPOTIFY_CLIENT_SECRET: "",
      CORS_ALLOW_ORIGINS: `https://app.example, ${allowed.origin}`,
      // Both set by the template (600 and 10): the shell's values must win.
      CACHE_TTL_SECONDS: String(TTL_SECONDS),
      SPOTIFY_MAX_LIMIT: String(MAX_LIMIT),
    },
  });
  npm.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  npm.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const ready = await waitFor(() => output.includes("Ready:") || npm?.exitCode !== null, 60_000);
  base = /Ready: .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? "";
  if (!ready || !base) throw new Error(`npm start did not get ready:\n${output}`);
}, 90_000);

afterAll(async () => {
  // npm passes SIGTERM on; npm start then stops moto and the emulator by their PIDs.
  if (npm?.pid && npm.exitCode === null && npm.signalCode === null) {
    const exited = new Promise((resolve) => npm?.once("exit", resolve));
    npm.kill("SIGTERM");
    // Should npm hang, SIGKILL: npm start then sees its parent gone and stops on its own.
    const stuck = setTimeout(() => npm?.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(stuck);
  }
  allowed?.server.close();
  refused?.server.close();
});

describe("npm start", () => {
  it("prints where /docs is and which origins CORS allows", () => {
    expect(output).toContain(`${base}/docs`);
    expect(output).toContain(`CORS allowed origins: https://app.example, ${allowed.origin}`);
  });

  it("serves the spec for /docs aimed at itself, limit capped at the running SPOTIFY_MAX_LIMIT", async () => {
    const response = await fetch(`${base}/docs/openapi.json`);
    const spec = (await response.json()) as {
      servers: { url: string }[];
      paths: { "/search": { get: { parameters: { name: string; schema: unknown }[] } } };
    };

    expect(response.status).toBe(200);
    expect(spec.servers.map((server) => server.url)).toEqual([base]);
    const limit = spec.paths["/search"].get.parameters.find((p) => p.name === "limit");
    expect(limit?.schema).toMatchObject({ maximum: MAX_LIMIT, default: MAX_LIMIT });
  });

  it("runs the function with the shell's CACHE_TTL_SECONDS over the template's 600", async () => {
    const response = await fetch(`${base}/search?q=Adele&type=album`);

    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toMatch(
      new RegExp(`(^|[ ,])max-age=${TTL_SECONDS}(,|$)`),
    );
  });

  it("answers a preflight from an allowed origin as the HTTP API's CorsConfiguration would", async () => {
    const preflight = await fetch(`${base}/search?q=BTS&type=artist`, {
      method: "OPTIONS",
      headers: {
        origin: allowed.origin,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });

    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      "access-control-allow-origin": allowed.origin,
      "access-control-allow-methods": "GET",
      "access-control-allow-headers": expect.stringMatching(/^authorization(,|$)/),
      "access-control-max-age": expect.stringMatching(/^\d+$/),
    });
    expect(await preflight.text()).toBe("");
  });

  it("gives an origin not allowed no Access-Control-* header, preflight or GET", async () => {
    const headers = { origin: refused.origin, "access-control-request-method": "GET" };
    const preflight = await fetch(`${base}/search`, { method: "OPTIONS", headers });
    const get = await fetch(`${base}/search?q=BTS&type=artist`, {
      headers: { origin: refused.origin },
    });

    expect(preflight.status).toBe(204);
    expect(get.status).toBe(200);
    for (const response of [preflight, get]) {
      const names = [...response.headers.keys()];
      expect(names.filter((name) => name.startsWith("access-control-"))).toEqual([]);
    }
  });

  it("passes an OPTIONS that is no preflight on to the function (which allows only GET)", async () => {
    const options = await fetch(`${base}/search`, {
      method: "OPTIONS",
      headers: { origin: allowed.origin },
    });

    expect(options.status).toBe(405);
    expect(options.headers.get("allow")).toBe("GET");
  });
});

describe("in Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    const executablePath = findChromium();
    if (!executablePath) {
      throw new Error(
        "Chromium is not installed, so the docs-page and CORS browser tests cannot run. Install it with `apt-get install -y chromium` (Debian; .ci/run does this) or point CHROMIUM_PATH at a Chromium or Chrome binary.",
      );
    }
    browser = await chromium.launch({ executablePath });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** A page, and the script errors and console errors (a blocked resource, say) it has had. */
  async function newPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    return { page, errors };
  }

  it("/docs runs a search from the page, shows the 200 body, and its next link is followed", async () => {
    const { page, errors } = await newPage();
    try {
      await page.goto(`${base}/docs`);
      const operation = page.locator("#operations-search-search");
      await expect.poll(() => page.locator(".info .title").textContent()).toMatch(/search/i);
      // The page's "Try it out" calls this server, whose limit maximum is the running one's.
      await expect.poll(() => page.locator(".servers select").inputValue()).toBe(base);

      await operation.locator(".opblock-summary").click();
      await operation.locator(".try-out__btn").click();
      const limit = operation.locator('tr[data-param-name="limit"] input');
      expect(await limit.inputValue()).toBe(String(MAX_LIMIT));
      await operation.locator('tr[data-param-name="q"] input').fill("BTS");
      await operation.locator('tr[data-param-name="type"] select').selectOption(["artist"]);
      const answered = page.waitForResponse((response) => response.url().includes("/search?"));
      await operation.locator("button.execute").click();
      const response = await answered;

      expect(response.url().startsWith(`${base}/search?q=BTS&type=artist&`), response.url()).toBe(
        true,
      );
      expect(response.headers()["cache-control"]).toContain(`max-age=${TTL_SECONDS}`);
      const live = operation.locator(".live-responses-table .response");
      expect((await live.locator(".response-col_status").first().textContent())?.trim()).toBe(
        "200",
      );
      const shown = await live.locator(".response-col_description pre").first().textContent();
      const body = JSON.parse(shown ?? "") as { artists: Paging };
      expect(body.artists).toMatchObject({ offset: 0, limit: MAX_LIMIT });
      expect(body.artists.items[0]?.name).toBe("BTS");

      mkdirSync(join(PROJECT_ROOT, ".build"), { recursive: true });
      // The picture: the filled-in parameters, the request sent here, and the 200 it got.
      await operation.locator(".live-responses-table").scrollIntoViewIfNeeded();
      await page.evaluate("window.scrollBy(0, -420)");
      await page.screenshot({ path: SCREENSHOT });

      // The page itself had no script error and nothing it loaded failed (read before leaving
      // it: on the JSON page the browser asks for /favicon.ico, which the API answers 404).
      expect(errors).toEqual([]);

      // The paging link leads back to this server, and the browser follows it to page 2.
      const next = body.artists.next ?? "";
      expect(next.startsWith(`${base}/search?`), `artists.next leads back here: ${next}`).toBe(
        true,
      );
      const followed = await page.goto(next);
      expect(followed?.status()).toBe(200);
      const page2 = (JSON.parse((await followed?.text()) ?? "") as { artists: Paging }).artists;
      expect(page2.offset).toBe(MAX_LIMIT);
      expect(page2.items.length).toBeGreaterThan(0);
      expect(page2.previous?.startsWith(`${base}/search?`)).toBe(true);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("a page on an allowed origin calls the API cross-origin, with Authorization and the cache's headers readable", async () => {
    const { page } = await newPage();
    try {
      await page.goto(`${allowed.origin}/`);
      // Authorization makes it a preflighted request; reading Cache-Status and Age needs them exposed.
      const calls = await page.evaluate(async (url) => {
        const call = async () => {
          // no-store: the browser's own cache would answer the second call (max-age=5).
          const init = { headers: { authorization: "Bearer local-test" }, cache: "no-store" };
          const response = await fetch(url, init);
          const body = (await response.json()) as { tracks?: { items: unknown[] } };
          return {
            status: response.status,
            cacheStatus: response.headers.get("cache-status"),
            age: response.headers.get("age"),
            items: body.tracks?.items.length ?? 0,
          };
        };
        return [await call(), await call()];
      }, `${base}/search?q=Yesterday&type=track`);

      expect(calls[0]).toMatchObject({ status: 200, cacheStatus: expect.stringMatching(/miss/) });
      expect(calls[0]?.items).toBeGreaterThan(0);
      expect(calls[1]).toMatchObject({
        status: 200,
        cacheStatus: expect.stringMatching(/hit/),
        age: expect.stringMatching(/^\d+$/),
      });
    } finally {
      await page.close();
    }
  }, 30_000);

  it("a page on an origin not allowed cannot read the API's answer", async () => {
    const { page } = await newPage();
    try {
      await page.goto(`${refused.origin}/`);
      // A simple GET (no preflight): the answer comes, and the browser withholds it.
      const outcome = await page.evaluate(async (url) => {
        try {
          const response = await fetch(url);
          return `read ${response.status}`;
        } catch (error) {
          return `blocked: ${(error as Error).name}`;
        }
      }, `${base}/search?q=BTS&type=artist`);

      expect(outcome).toBe("blocked: TypeError");
    } finally {
      await page.close();
    }
  }, 30_000);
});

describe("the deployed function", () => {
  it("carries nothing of the docs page or the local stack", async () => {
    const fn = functionOf(loadTemplate(), "SearchFunction");
    const options = esbuildOptionsFor(fn, PROJECT_ROOT, join(tmpdir(), "docs-page-bundle"));
    // Only the inputs matter: no minifying, no source map.
    const result = await build({
      ...options,
      minify: false,
      sourcemap: false,
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);

    expect(inputs).toContain("handlers/search.ts");
    expect(inputs.filter((path) => /(^|\/)infra\/|swagger-ui|playwright|yaml/.test(path))).toEqual(
      [],
    );
  }, 60_000);
});

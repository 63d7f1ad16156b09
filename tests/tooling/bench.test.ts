import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/template.ts";

/**
 * Smoke test of `npm run bench -- --quick`, so the benchmark never rots: it must build every
 * variant, run every measurement on the local stack and write a complete report. Timings are not
 * asserted (CI machines are noisy); the wire counts are, since they do not depend on speed.
 */
describe("npm run bench -- --quick", () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs every measurement and writes the report", { timeout: 120_000 }, async () => {
    const out = join(dir, "bench.json");
    const tsx = join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs");
    const child = spawn(process.execPath, [tsx, "infra/bench/run.ts", "--quick", "--out", out], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, stderr).toBe(0);

    const report = JSON.parse(readFileSync(out, "utf8")) as {
      mode: string;
      rows: { section: string; figure: string; value: number; status: string }[];
      bundles: Record<string, Record<string, { bytes: number; packages: unknown[] }>>;
      cold: Record<string, { samples: unknown[] }>;
      warm: Record<string, { handler: { n: number } }>;
      throughput: { succeeded: number; searches: number; steadyPerSecond: number };
    };
    expect(report.mode).toBe("quick");
    for (const fn of ["search", "scheduled"]) {
      for (const variant of ["deployed", "plain", "floor"]) {
        expect(report.bundles[fn]?.[variant]?.bytes).toBeGreaterThan(0);
      }
      // Powertools is what the plain build leaves out.
      expect(report.bundles[fn]?.plain?.bytes).toBeLessThan(
        report.bundles[fn]?.deployed?.bytes ?? 0,
      );
    }
    expect(report.cold["search/deployed"]?.samples).toHaveLength(3);
    expect(report.cold["scheduled/floor"]?.samples).toHaveLength(3);
    expect(report.warm["search/deployed"]?.handler.n).toBe(200);
    expect(report.throughput.succeeded).toBe(report.throughput.searches);
    expect(report.throughput.steadyPerSecond).toBeGreaterThan(0);

    const figures = report.rows.map((r) => r.figure);
    expect(figures).toContain("SearchFunction as deployed (--enable-source-maps)");
    expect(figures).toContain("SearchFunction p50");
    expect(figures).toContain("SearchFunction p99");
    for (const r of report.rows) {
      expect(["pass", "miss", "info"]).toContain(r.status);
      expect(Number.isNaN(r.value), r.figure).toBe(false);
    }
    // One token request and one secret read per container, whatever the machine's speed.
    for (const r of report.rows.filter((x) => x.section === "wire cost")) {
      expect(r.status, r.figure).toBe("pass");
    }
    expect(stdout).toContain("figure");
    expect(stdout).toContain("Targets:");
  });
});

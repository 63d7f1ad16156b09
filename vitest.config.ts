import { appendFileSync, mkdirSync } from "node:fs";
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { CAPTURE_DIR } from "./tests/support/leak-scan.ts";

/** Files that start containers or processes (moto, handlers cold per test, npm scripts). */
const ISOLATED = ["tests/integration/**/*.test.ts", "tests/tooling/local-tools.test.ts"];

/**
 * Files that wait on child processes (cfn-lint, npm start, Chromium, moto uploads, real windows):
 * started first, so on 2 cores they overlap the many short files instead of ending the run alone.
 */
const LONGEST_FIRST = [
  "tests/tooling/template.test.ts",
  "tests/tooling/start-stop.test.ts",
  "tests/integration/scheduled/storage.test.ts",
  "tests/tooling/docs-page.test.ts",
  "tests/tooling/local-tools.test.ts",
  "tests/integration/fleet/after-lockout.test.ts",
  "tests/tooling/fleet-container.test.ts",
  "tests/tooling/openapi.test.ts",
  "tests/tooling/build.test.ts",
  "tests/integration/scheduled/collection.test.ts",
];

/** The known long files first, across both projects; then vitest's own order. */
class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.indexOf(relative(process.cwd(), file.moduleId));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    return sorted
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print one "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: ".build/test-results.json" }]],
    setupFiles: ["tests/support/capture-output.ts"],
    // console.* from tests goes through vitest, not the worker's stdout: keep it for the leak scan.
    onConsoleLog(log) {
      mkdirSync(CAPTURE_DIR, { recursive: true });
      appendFileSync(`${CAPTURE_DIR}/console.log`, `${log}\n`);
    },
    // Most files wait on moto, the emulator or child processes: on 2 cores, 3 at once keep both busy.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirstSequencer },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      POWERTOOLS_SERVICE_NAME: "spotify-search",
      POWERTOOLS_METRICS_NAMESPACE: "SpotifySearch",
      POWERTOOLS_LOG_LEVEL: "INFO",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    projects: [
      {
        extends: true,
        test: {
          name: "isolated",
          include: ISOLATED,
          // One moto for the suite, and the leak scan of everything both projects printed.
          globalSetup: ["tests/support/global-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "shared",
          include: ["tests/**/*.test.ts"],
          exclude: ISOLATED,
          // Pure tests with no module state to leak: one module cache saves a fresh worker per file.
          isolate: false,
        },
      },
    ],
  },
});

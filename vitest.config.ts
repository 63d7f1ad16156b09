import { appendFileSync, mkdirSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { CAPTURE_DIR } from "./tests/support/leak-scan.ts";

/** Files that start containers or processes (moto, handlers cold per test, npm scripts). */
const ISOLATED = ["tests/integration/**/*.test.ts", "tests/tooling/local-tools.test.ts"];

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

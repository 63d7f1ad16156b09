import { appendFileSync, mkdirSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { CAPTURE_DIR } from "./tests/support/leak-scan.ts";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The JSON report lets .ci/run print one "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: ".build/test-results.json" }]],
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/capture-output.ts"],
    // console.* from tests goes through vitest, not the worker's stdout: keep it for the leak scan.
    onConsoleLog(log) {
      mkdirSync(CAPTURE_DIR, { recursive: true });
      appendFileSync(`${CAPTURE_DIR}/console.log`, `${log}\n`);
    },
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
  },
});

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Container } from "../../infra/local/container.ts";
import { SEARCH_FUNCTION } from "../../infra/local/lambda-context.ts";
import type { ApiResult } from "../../lib/http/api-response.ts";
import { CAPTURE_DIR } from "./leak-scan.ts";

export interface ContainerProcess {
  invoke(event: unknown, remainingMs?: number): Promise<ApiResult>;
  stop(): Promise<void>;
}

const SEARCH_HANDLER = fileURLToPath(new URL("../../handlers/search.ts", import.meta.url));
let started = 0;

/**
 * A search-function container in a separate process (infra/local/container.ts, from source under
 * tsx) with exactly `env` added to this process's environment.
 */
export async function startContainerProcess(
  env: Record<string, string>,
): Promise<ContainerProcess> {
  // Its logs go where the suite's leak scan reads them.
  mkdirSync(CAPTURE_DIR, { recursive: true });
  const container = await Container.start({
    module: SEARCH_HANDLER,
    exportName: "handler",
    fn: SEARCH_FUNCTION,
    env: { ...(process.env as Record<string, string>), ...env },
    logFile: join(CAPTURE_DIR, `container-${process.pid}-${Date.now()}-${++started}.log`),
  });
  return {
    invoke: async (event, remainingMs = 29_000) => {
      const { result, error, detail } = await container.invoke(event, remainingMs);
      if (error !== undefined)
        throw new Error(`the container's handler failed: ${error} ${detail}`);
      return result as ApiResult;
    },
    stop: () => container.stop(),
  };
}

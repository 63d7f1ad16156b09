import { type ChildProcess, fork } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import type { ApiResult } from "../../lib/http/api-response.ts";
import { CAPTURE_DIR } from "./leak-scan.ts";

export interface ContainerProcess {
  invoke(event: unknown, remainingMs?: number): Promise<ApiResult>;
  stop(): Promise<void>;
}

const ENTRY = new URL("./container-process.ts", import.meta.url);

/** Starts a search-function container in a separate process with exactly `env` added. */
export async function startContainerProcess(
  env: Record<string, string>,
): Promise<ContainerProcess> {
  // Its logs go where the suite's leak scan reads them.
  mkdirSync(CAPTURE_DIR, { recursive: true });
  const log = openSync(join(CAPTURE_DIR, `container-${process.pid}-${Date.now()}.log`), "a");
  const child: ChildProcess = fork(ENTRY, {
    env: { ...process.env, ...env },
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", log, log, "ipc"],
  });
  closeSync(log);
  const pending = new Map<number, (result: ApiResult) => void>();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`container process exited with ${code}`)));
    child.on("message", (message: { ready?: boolean; id?: number; result?: ApiResult }) => {
      if (message.ready) resolve();
      if (message.id !== undefined && message.result) pending.get(message.id)?.(message.result);
    });
  });
  return {
    invoke: (event, remainingMs = 29_000) =>
      new Promise((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        child.send({ id, event, remainingMs });
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

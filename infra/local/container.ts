/**
 * A local Lambda container in its own process, the one host behind the tests, the bench and the
 * fleet simulation: spawn container-host.ts with the function's environment, wait for its INIT,
 * send it one invocation at a time, count what it logs, stop it by its own PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, createWriteStream, openSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { HostConfig, HostReply, HostRequest } from "./container-protocol.ts";
import type { ContextFunction } from "./lambda-context.ts";
import { stopChild } from "./moto.ts";

const HOST_SOURCE = fileURLToPath(new URL("./container-host.ts", import.meta.url));

/** The host as one plain-JavaScript file for `node` (no tsx), as the Lambda runtime runs code. */
export async function buildContainerHost(outDir: string): Promise<string> {
  const outfile = join(outDir, "container-host.mjs");
  await build({
    entryPoints: [HOST_SOURCE],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

export interface ContainerOptions {
  /** The function's module: a built bundle, or a TypeScript file (then the host runs under tsx). */
  module: string;
  exportName: string;
  fn: ContextFunction;
  /** The whole environment the container sees. */
  env: Record<string, string>;
  /** The function's stdout and stderr are appended here. */
  logFile: string;
  /** Pass the output through this process to count its bytes (`logBytes`). */
  countLog?: boolean;
  /** `buildContainerHost`'s file; without it the host runs from source under tsx. */
  host?: string;
  /** Extra `node` flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Give up on INIT after this long. */
  initTimeoutMs?: number;
}

/** One invocation as the container saw it; times are ms since its process started. */
export interface Invocation {
  result: unknown;
  /** The thrown error's name, `busy`, `timeout`, `exited` or `dead`; undefined on success. */
  error: string | undefined;
  detail?: string;
  start: number;
  end: number;
  /** The handler's duration inside the container (what Lambda bills). */
  durationMs: number;
}

type Done = Extract<HostReply, { type: "done" }>;
type Fetched = Extract<HostReply, { type: "fetched" }>;
/** No answer: the container `exited`, was already `dead`, or hung past its `timeout`. */
type Lost = { type: "lost"; error: string };
type Reply = Done | Fetched | Lost;

const live = new Set<ChildProcess>();

/** Stops every container still running, each by its own PID (for an interrupted run). */
export function killLiveContainers(): void {
  for (const child of live)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** Extra time the parent allows past the function's timeout before it calls the container dead. */
const HANG_GRACE_MS = 5000;

export class Container {
  /** Process start to the module imported (Lambda's INIT, billed since August 2025). */
  initMs = 0;
  /** The container's `performance.timeOrigin` (epoch ms its clock counts from). */
  timeOrigin = 0;
  logBytes = 0;
  /** Where the measured run starts in the log file (after the warm-up's lines). */
  logOffset = 0;
  invocations = 0;
  billedMs = 0;
  readonly logFile: string;
  readonly #child: ChildProcess;
  readonly #log: WriteStream | undefined;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #nextId = 0;
  #dead = false;
  #stopped = false;

  private constructor(child: ChildProcess, logFile: string, log: WriteStream | undefined) {
    this.#child = child;
    this.logFile = logFile;
    this.#log = log;
    const count = (chunk: Buffer) => {
      this.logBytes += chunk.length;
      log?.write(chunk);
    };
    child.stdout?.on("data", count);
    child.stderr?.on("data", count);
    child.on("message", (message: HostReply) => {
      if (message.type !== "done" && message.type !== "fetched") return;
      this.#pending.get(message.id)?.(message);
      this.#pending.delete(message.id);
    });
    child.once("exit", () => {
      this.#dead = true;
      for (const resolve of this.#pending.values()) resolve({ type: "lost", error: "exited" });
      this.#pending.clear();
    });
  }

  static async start(options: ContainerOptions): Promise<Container> {
    const config: HostConfig = {
      module: options.module,
      exportName: options.exportName,
      functionName: options.fn.functionName,
      memoryMb: options.fn.memoryMb,
    };
    const host = options.host ?? HOST_SOURCE;
    const loader = options.host === undefined ? ["--import", "tsx"] : [];
    const args = [...loader, ...(options.nodeArgs ?? []), host, JSON.stringify(config)];
    let child: ChildProcess;
    let log: WriteStream | undefined;
    if (options.countLog) {
      log = createWriteStream(options.logFile, { flags: "a" });
      child = spawn(process.execPath, args, {
        env: options.env,
        stdio: ["ignore", "pipe", "pipe", "ipc"],
      });
    } else {
      // Straight to the file: the parent stays out of the function's output path.
      const fd = openSync(options.logFile, "a");
      try {
        child = spawn(process.execPath, args, {
          env: options.env,
          stdio: ["ignore", fd, fd, "ipc"],
        });
      } finally {
        closeSync(fd);
      }
    }
    live.add(child);
    child.once("exit", () => live.delete(child));
    const container = new Container(child, options.logFile, log);
    try {
      const ready = await waitReady(child, options.initTimeoutMs ?? 30_000);
      container.initMs = ready.initMs;
      container.timeOrigin = ready.timeOrigin;
    } catch (error) {
      await container.stop();
      throw error;
    }
    return container;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return !this.#dead;
  }

  /** Forget what warm-up invocations added, so only the measured run counts. */
  resetCounters(): void {
    this.logOffset += this.logBytes;
    this.logBytes = 0;
    this.invocations = 0;
    this.billedMs = 0;
  }

  /**
   * One invocation with `timeoutMs` left on its context. Lambda never sends a busy sandbox a
   * second event (the host answers `busy`), and ends one that outlives its timeout: so does this.
   */
  async invoke(event: unknown, timeoutMs: number): Promise<Invocation> {
    const message = { type: "invoke", id: ++this.#nextId, event, timeoutMs } as const;
    const reply = await this.#request(message, timeoutMs + HANG_GRACE_MS);
    if (reply.type !== "done") {
      const error = reply.type === "lost" ? reply.error : "unexpected reply";
      return { result: undefined, error, start: 0, end: 0, durationMs: 0 };
    }
    const durationMs = reply.end - reply.start;
    // A handler that throws is billed like any other; a refused event never ran.
    if (reply.error !== "busy") {
      this.invocations += 1;
      this.billedMs += Math.ceil(durationMs);
    }
    const { result, error, detail, start, end } = reply;
    return { result, error, detail, start, end, durationMs };
  }

  /** A bare `fetch` of `url` from inside the container; ms to the body's end. */
  async fetch(url: string, headers: Record<string, string>): Promise<number> {
    const reply = await this.#request({ type: "fetch", id: ++this.#nextId, url, headers }, 30_000);
    if (reply.type !== "fetched") throw new Error(`the bare fetch got no answer (${reply.type})`);
    if (reply.status !== 200) throw new Error(`the bare fetch answered ${reply.status}`);
    return reply.ms;
  }

  #request(message: HostRequest, giveUpMs: number): Promise<Reply> {
    if (this.#dead) return Promise.resolve({ type: "lost", error: "dead" });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(message.id);
        this.#dead = true;
        this.#child.kill("SIGKILL");
        resolve({ type: "lost", error: "timeout" });
      }, giveUpMs);
      this.#pending.set(message.id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.#child.send(message);
    });
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await stopChild(this.#child);
    const log = this.#log;
    if (log) await new Promise<void>((resolve) => log.end(resolve));
  }
}

function waitReady(child: ChildProcess, timeoutMs: number) {
  return new Promise<{ initMs: number; timeOrigin: number }>((resolve, reject) => {
    const timer = setTimeout(() => settle(() => reject(new Error("INIT timed out"))), timeoutMs);
    const onMessage = (message: HostReply) => {
      if (message.type === "ready") settle(() => resolve(message));
      if (message.type === "init-error") settle(() => reject(new Error(message.error)));
    };
    const onExit = (code: number | null) =>
      settle(() => reject(new Error(`the container exited during INIT (${code})`)));
    const settle = (then: () => void) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      then();
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

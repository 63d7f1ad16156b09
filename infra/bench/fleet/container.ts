/**
 * The parent's side of a fleet container (host.mjs): spawn it with the function's environment,
 * wait for its INIT, send it one invocation at a time, count the bytes it logs, stop it by its PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { stopChild } from "../../local/moto.ts";

export const HOST = fileURLToPath(new URL("./host.mjs", import.meta.url));

export interface ContainerOptions {
  bundle: string;
  exportName: string;
  functionName: string;
  memoryMb: number;
  env: Record<string, string>;
  /** The function's stdout and stderr are appended here (and counted). */
  logFile: string;
  /** Give up on INIT after this long. */
  initTimeoutMs?: number;
}

export interface Invocation {
  statusCode: number;
  retryAfter: string | undefined;
  bodyBytes: number;
  /** The handler's duration inside the container (what Lambda bills). */
  durationMs: number;
  error: string | undefined;
}

interface DoneMessage extends Invocation {
  type: "done";
  id: number;
}

type HostMessage =
  | { type: "ready"; initMs: number; importMs: number }
  | { type: "init-error"; error: string }
  | DoneMessage;

const live = new Set<ChildProcess>();

/** Stops every container still running, each by its own PID (for an interrupted run). */
export function killLiveContainers(): void {
  for (const child of live)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** Extra time the parent allows past the function's timeout before it calls the container dead. */
const HANG_GRACE_MS = 5000;

export class Container {
  /** Process start to the bundle imported (Lambda's INIT, billed since August 2025). */
  initMs = 0;
  logBytes = 0;
  /** Where the measured run starts in the log file (after the warm-up's lines). */
  logOffset = 0;
  readonly logFile: string;
  invocations = 0;
  billedMs = 0;
  readonly #child: ChildProcess;
  readonly #log: WriteStream;
  readonly #pending = new Map<number, (done: DoneMessage) => void>();
  #nextId = 0;
  #dead = false;
  #stopped = false;

  private constructor(child: ChildProcess, log: WriteStream, logFile: string) {
    this.#child = child;
    this.logFile = logFile;
    this.#log = log;
    const count = (chunk: Buffer) => {
      this.logBytes += chunk.length;
      log.write(chunk);
    };
    child.stdout?.on("data", count);
    child.stderr?.on("data", count);
    child.on("message", (message: HostMessage) => {
      if (message.type !== "done") return;
      this.#pending.get(message.id)?.(message);
      this.#pending.delete(message.id);
    });
    child.once("exit", () => {
      this.#dead = true;
      for (const resolve of this.#pending.values()) {
        resolve({ ...deadAnswer("exited"), type: "done", id: -1 });
      }
      this.#pending.clear();
    });
  }

  /** Forget what warm-up invocations added, so only the measured run counts. */
  resetCounters(): void {
    this.logOffset += this.logBytes;
    this.logBytes = 0;
    this.invocations = 0;
    this.billedMs = 0;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return !this.#dead;
  }

  static async start(options: ContainerOptions): Promise<Container> {
    const log = createWriteStream(options.logFile, { flags: "a" });
    const config = {
      bundle: options.bundle,
      exportName: options.exportName,
      functionName: options.functionName,
      memoryMb: options.memoryMb,
      logStreamName: `fleet/[$LATEST]${options.logFile.split("/").at(-1) ?? "0"}`,
    };
    const child = spawn(process.execPath, [HOST, JSON.stringify(config)], {
      env: options.env,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    live.add(child);
    child.once("exit", () => live.delete(child));
    const container = new Container(child, log, options.logFile);
    try {
      container.initMs = await waitReady(child, options.initTimeoutMs ?? 30_000);
    } catch (error) {
      await container.stop();
      throw error;
    }
    return container;
  }

  /** One invocation; the container must be idle (Lambda never sends a busy sandbox a second). */
  invoke(event: unknown, timeoutMs: number): Promise<Invocation> {
    if (this.#dead) return Promise.resolve(deadAnswer("dead"));
    const id = ++this.#nextId;
    return new Promise<Invocation>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda ends a sandbox that outlives its timeout; so do we.
        this.#pending.delete(id);
        this.#dead = true;
        this.#child.kill("SIGKILL");
        resolve(deadAnswer("timeout"));
      }, timeoutMs + HANG_GRACE_MS);
      this.#pending.set(id, (done) => {
        clearTimeout(timer);
        this.invocations += 1;
        this.billedMs += Math.ceil(done.durationMs);
        const { type: _type, id: _id, ...invocation } = done;
        resolve(invocation);
      });
      this.#child.send({ type: "invoke", id, event, timeoutMs });
    });
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await stopChild(this.#child);
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }
}

function deadAnswer(error: string): Invocation {
  return { statusCode: 0, retryAfter: undefined, bodyBytes: 0, durationMs: 0, error };
}

function waitReady(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("container INIT timed out")), timeoutMs);
    const onMessage = (message: HostMessage) => {
      if (message.type === "ready") settle(() => resolve(message.initMs));
      if (message.type === "init-error") settle(() => reject(new Error(message.error)));
    };
    const onExit = (code: number | null) =>
      settle(() => reject(new Error(`container exited during INIT (${code})`)));
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

/**
 * A fixed fleet (reserved concurrency): each invocation goes to an idle container picked at
 * random, as Lambda routes to any warm sandbox; when all are busy the caller waits for the first
 * to free up (Lambda would throttle instead), and that wait counts in the caller's latency.
 */
export class ContainerPool {
  readonly #idle: Container[];
  readonly #waiters: ((container: Container) => void)[] = [];
  readonly #random: () => number;

  constructor(
    readonly containers: readonly Container[],
    random: () => number,
  ) {
    this.#idle = [...containers];
    this.#random = random;
  }

  async invoke(event: unknown, timeoutMs: number): Promise<Invocation & { queuedMs: number }> {
    const queuedAt = performance.now();
    const container = await this.#acquire();
    const queuedMs = performance.now() - queuedAt;
    try {
      return { ...(await container.invoke(event, timeoutMs)), queuedMs };
    } finally {
      this.#release(container);
    }
  }

  #acquire(): Promise<Container> {
    if (this.#idle.length > 0) {
      const index = Math.floor(this.#random() * this.#idle.length);
      const [container] = this.#idle.splice(index, 1);
      if (container !== undefined) return Promise.resolve(container);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(container: Container): void {
    if (!container.alive) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(container);
    else this.#idle.push(container);
  }
}

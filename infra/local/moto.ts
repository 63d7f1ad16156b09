import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join, resolve } from "node:path";

export interface MotoServer {
  endpoint: string;
  pid: number;
  /** Resolves when moto's process has exited (stopped, or killed by someone else). */
  exited: Promise<void>;
  stop(): Promise<void>;
}

const PROJECT_VENV = resolve(import.meta.dirname, "../../.venv");

/**
 * Set to the moto_server this process found, so the processes it starts (npm start, tests)
 * skip the check: through pyenv's shims `moto_server --help` costs about a second of CPU.
 */
const FOUND = "MOTO_SERVER_BIN";

/** Finds moto_server on PATH or in the project venv; installs it there if Python can. */
export function findMotoServer(options: { install?: boolean } = {}): string {
  const known = process.env[FOUND];
  if (known && existsSync(known)) return known;
  const found = searchMotoServer(options);
  process.env[FOUND] = found;
  return found;
}

function searchMotoServer(options: { install?: boolean }): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "moto_server");
    if (dir && existsSync(candidate) && runs(candidate)) return candidate;
  }
  const local = join(PROJECT_VENV, "bin", "moto_server");
  if (existsSync(local)) return local;
  if (options.install !== false) {
    process.stderr.write(`moto_server not found; installing moto[server] into ${PROJECT_VENV}\n`);
    const venv = spawnSync("python3", ["-m", "venv", PROJECT_VENV], { stdio: "inherit" });
    const pip = join(PROJECT_VENV, "bin", "pip");
    if (venv.status === 0) {
      spawnSync(pip, ["install", "--quiet", "moto[server]"], { stdio: "inherit" });
    }
    if (existsSync(local)) return local;
  }
  throw new Error(
    'moto_server is not installed and could not be installed. Install it with `pip install "moto[server]"` (Python 3.9+), then run this again.',
  );
}

function runs(path: string): boolean {
  return spawnSync(path, ["--help"], { stdio: "ignore", timeout: 20_000 }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts moto's server on 127.0.0.1 and waits until it answers; stop() ends it by its PID. */
export async function startMoto(options: { port?: number } = {}): Promise<MotoServer> {
  const bin = findMotoServer();
  const port = options.port ?? (await freePort());
  const child = spawn(bin, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: false,
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child);
  } catch (error) {
    await stopChild(child);
    throw new Error(
      `moto_server did not start on ${endpoint}: ${(error as Error).message}\n${stderr}`,
    );
  }
  if (child.pid === undefined) throw new Error("moto_server has no PID");
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit();
    else child.once("exit", () => resolveExit());
  });
  return { endpoint, pid: child.pid, exited, stop: () => stopChild(child) };
}

async function waitUntilReady(endpoint: string, child: ChildProcess): Promise<void> {
  const giveUpAt = Date.now() + 30_000;
  while (Date.now() < giveUpAt) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out after 30 s");
}

/** Stops a child by its own PID: SIGTERM, then SIGKILL if it lingers. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

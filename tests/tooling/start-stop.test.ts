import { spawn, spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/template/template.ts";

interface Proc {
  pid: number;
  ppid: number;
  stat: string;
  cmd: string;
}

function processTable(): Proc[] {
  const ps = spawnSync("ps", ["-eo", "pid=,ppid=,stat=,args="], { encoding: "utf8" });
  return ps.stdout
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, stat, cmd]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      stat: stat ?? "",
      cmd: cmd ?? "",
    }));
}

/** `root` and every process below it. */
function tree(root: number): Proc[] {
  const table = processTable();
  const found = table.filter((p) => p.pid === root);
  for (let i = 0; i < found.length; i++) {
    found.push(...table.filter((p) => p.ppid === found[i]?.pid));
  }
  return found;
}

/** Alive and not a zombie (an exited process nobody has reaped yet is gone for our purpose). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = processTable().find((p) => p.pid === pid)?.stat ?? "";
  return stat !== "" && !stat.startsWith("Z");
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

const startedPids = new Set<number>();

afterAll(() => {
  // Whatever a failed case left behind is stopped by its own PID.
  for (const pid of startedPids) if (alive(pid)) process.kill(pid, "SIGKILL");
});

/** `npm start -- --port 0` until its ready line; the PIDs of everything it started. */
async function npmStart() {
  const npm = spawn("npm", ["start", "--", "--port", "0"], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SPOTIFY_CLIENT_ID: "", SPOTIFY_CLIENT_SECRET: "" },
  });
  let output = "";
  npm.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  npm.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  if (npm.pid) startedPids.add(npm.pid);
  const ready = await waitFor(() => output.includes("Ready:"), 60_000);
  if (!ready) throw new Error(`npm start did not get ready:\n${output}`);
  const processes = tree(npm.pid ?? 0);
  for (const p of processes) startedPids.add(p.pid);
  const role = (test: (cmd: string) => boolean) => processes.find((p) => test(p.cmd))?.pid;
  return {
    base: /Ready: .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? "",
    output: () => output,
    processes,
    npm: npm.pid ?? 0,
    node: role((cmd) => cmd.includes("infra/local/start.ts") && !cmd.startsWith("npm")),
    moto: role((cmd) => cmd.includes("moto_server")),
  };
}

// Each case starts its own tree; they run at once, so the file takes one start's time, not five.
describe.concurrent("npm start stops everything it started, whatever gets the signal", () => {
  it("serves GET /search; npm gets SIGINT → no process of the tree is left", async () => {
    const stack = await npmStart();
    expect(stack.output()).toContain(`curl '${stack.base}/search?q=BTS&type=artist'`);

    const ok = await fetch(`${stack.base}/search?q=BTS&type=artist`);
    const bad = await fetch(`${stack.base}/search?q=BTS&type=artist&limit=50`);
    const post = await fetch(`${stack.base}/search?q=BTS&type=artist`, { method: "POST" });

    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("application/json");
    const body = (await ok.json()) as { artists: { items: { name: string }[] } };
    expect(body.artists).toMatchObject({ offset: 0, items: expect.any(Array) });
    expect(body.artists.items[0]?.name).toBe("BTS");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/limit/);
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");

    process.kill(stack.npm, "SIGINT");
    const gone = await waitFor(() => stack.processes.every((p) => !alive(p.pid)), 15_000);
    expect(gone).toBe(true);
  }, 90_000);

  it.each([
    ["npm", "SIGTERM"],
    ["npm", "SIGHUP"],
    ["moto", "SIGTERM"],
  ] as const)(
    "%s gets %s → no process of the tree is left",
    async (target, signal) => {
      const stack = await npmStart();
      const pid = stack[target];
      expect(pid, JSON.stringify(stack.processes)).toBeGreaterThan(0);
      expect(stack.moto).toBeGreaterThan(0);

      process.kill(pid as number, signal);

      const gone = await waitFor(() => stack.processes.every((p) => !alive(p.pid)), 15_000);
      const left = stack.processes.filter((p) => alive(p.pid)).map((p) => `${p.pid} ${p.cmd}`);
      expect(gone, `still running:\n${left.join("\n")}`).toBe(true);
    },
    90_000,
  );
});

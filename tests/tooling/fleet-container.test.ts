import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerOf, ContainerPool } from "../../infra/bench/fleet/pool.ts";
import { seededRandom } from "../../infra/bench/fleet/workload.ts";
import { buildContainerHost, Container } from "../../infra/local/container.ts";

const STUB = fileURLToPath(new URL("./fixtures/fleet-stub-handler.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "fleet-container-"));
const event = (query: string) => ({ rawQueryString: query });

let host: string;

function start(name: string): Promise<Container> {
  return Container.start({
    module: STUB,
    exportName: "handler",
    fn: { functionName: "SearchFunction", memoryMb: 512 },
    env: { PATH: process.env.PATH ?? "", FLEET_STUB_ENV: "from-parent" },
    logFile: join(dir, `${name}.log`),
    countLog: true,
    host,
  });
}

/** Waits (at most 2 s, polling) for the child's log file to catch up: it writes asynchronously. */
async function settled(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The stub's answer as the fleet reads it. */
const invoke = async (target: Container, query: string, timeoutMs = 5000) =>
  answerOf(await target.invoke(event(query), timeoutMs));

let container: Container;
beforeAll(async () => {
  host = await buildContainerHost(dir);
  container = await start("one");
}, 30_000);
afterAll(async () => {
  await container.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the container host (infra/local/container.ts), as the fleet runs it", () => {
  it("imports the bundle once and keeps module state across invocations", async () => {
    // Act
    await invoke(container, "");
    const second = await invoke(container, "status=429");
    // Assess
    expect(second.statusCode).toBe(429);
    expect(second.retryAfter).toBe("3");
    expect(container.initMs).toBeGreaterThan(0);
    expect(container.invocations).toBe(2);
  });

  it("gives each invocation a Lambda context with a deadline and the given environment", async () => {
    // Act
    const answer = await invoke(container, "expectMaxMs=5000");
    // Assess
    expect(answer.statusCode).toBe(200);
    const lastLine = () => readFileSync(join(dir, "one.log"), "utf8").trim().split("\n").at(-1);
    await settled(() => lastLine()?.includes('"invocations":3') === true);
    expect(JSON.parse(lastLine() ?? "")).toEqual({
      message: "stub",
      invocations: 3,
      deadlineOk: true,
      memory: "512",
      env: "from-parent",
    });
  });

  it("counts the bytes the function logs", async () => {
    // Prepare
    const before = container.logBytes;
    const sizeBefore = readFileSync(join(dir, "one.log")).length;
    // Act
    await invoke(container, "");
    const fileGrowth = () => readFileSync(join(dir, "one.log")).length - sizeBefore;
    await settled(() => fileGrowth() > 50 && fileGrowth() === container.logBytes - before);
    // Assess
    const written = fileGrowth();
    expect(written).toBeGreaterThan(50);
    expect(container.logBytes - before).toBe(written);
  });

  it("reports a thrown error by name without crashing the container", async () => {
    // Act
    const failed = await invoke(container, "throw=1");
    const after = await invoke(container, "");
    // Assess
    expect(failed).toMatchObject({ statusCode: 0, error: "TypeError" });
    expect(after.statusCode).toBe(200);
  });

  it("ends a container that outlives its timeout, as Lambda does", async () => {
    // Prepare
    const doomed = await start("doomed");
    try {
      // Act: the grace past the timeout is 5 s; the handler waits longer than both.
      const answer = await invoke(doomed, "waitMs=8000", 100);
      // Assess
      expect(answer).toMatchObject({ statusCode: 0, error: "timeout" });
      expect(doomed.alive).toBe(false);
    } finally {
      await doomed.stop();
    }
  }, 15_000);
});

describe("container pool", () => {
  it("sends one invocation at a time to each container and queues the rest", async () => {
    // Prepare
    const second = await start("two");
    const pool = new ContainerPool([container, second], seededRandom(1));
    try {
      // Act
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => pool.invoke(event("waitMs=200"), 5000)),
      );
      // Assess: two ran at once, two waited for a container to free up.
      expect(answers.every((a) => a.statusCode === 200)).toBe(true);
      const queued = answers.map((a) => a.queuedMs).sort((a, b) => a - b);
      expect(queued[1]).toBeLessThan(100);
      expect(queued[2]).toBeGreaterThanOrEqual(150);
    } finally {
      await second.stop();
    }
  });
});

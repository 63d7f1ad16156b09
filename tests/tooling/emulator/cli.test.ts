import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { json, type TokenBody } from "./helpers.ts";

const MAIN = fileURLToPath(new URL("../../../infra/local/emulator/main.ts", import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child !== undefined && child.exitCode === null) child.kill("SIGKILL");
  child = undefined;
});

interface Ready {
  ready: boolean;
  url: string;
  accountsUrl: string;
  apiUrl: string;
  adminUrl: string;
}

async function launch(args: string[]): Promise<{ process: ChildProcess; ready: Ready }> {
  const started = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  child = started;
  if (started.stdout === null) throw new Error("no stdout");
  const lines = createInterface({ input: started.stdout });
  const [line] = (await once(lines, "line")) as [string];
  return { process: started, ready: JSON.parse(line) as Ready };
}

describe("main.ts command line", () => {
  it("prints one ready line, serves the given profile and exits 0 on SIGTERM", async () => {
    // Prepare
    const { process: emulator, ready } = await launch([
      "--port",
      "0",
      "--profile",
      "extended",
      "--client-id",
      "cli-id",
      "--client-secret",
      "cli-secret",
    ]);
    // Act
    const tokenResponse = await fetch(`${ready.accountsUrl}/api/token`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa("cli-id:cli-secret")}` },
      body: new URLSearchParams({ grant_type: "client_credentials" }),
    });
    const { access_token: accessToken } = await json<TokenBody>(tokenResponse);
    const searchResponse = await fetch(`${ready.apiUrl}/search?q=a&type=track&limit=50`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const exited = once(emulator, "exit");
    emulator.kill("SIGTERM");
    const [code] = await exited;
    // Assess
    expect(ready).toEqual({
      ready: true,
      url: ready.url,
      accountsUrl: ready.url,
      apiUrl: `${ready.url}/v1`,
      adminUrl: `${ready.url}/__emulator`,
    });
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(searchResponse.status).toBe(200);
    expect(code).toBe(0);
  }, 15_000);
});

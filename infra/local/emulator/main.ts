import { parseArgs } from "node:util";
import { startEmulator } from "./server.ts";
import type { Profile } from "./types.ts";

const USAGE =
  "usage: tsx infra/local/emulator/main.ts [--port N] [--host H] [--profile development|extended]" +
  " [--client-id X --client-secret Y] [--token-lifetime SECONDS] [--legacy-401-messages]";

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) fail(`--${name} must be a non-negative integer`);
  return Number(value);
}

function profile(value: string | undefined): Profile | undefined {
  if (value === undefined || value === "development" || value === "extended") return value;
  return fail("--profile must be development or extended");
}

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    profile: { type: "string" },
    "client-id": { type: "string" },
    "client-secret": { type: "string" },
    "token-lifetime": { type: "string" },
    "legacy-401-messages": { type: "boolean" },
    help: { type: "boolean" },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const emulator = await startEmulator({
  port: integer(values.port, "port"),
  host: values.host,
  profile: profile(values.profile),
  clientId: values["client-id"],
  clientSecret: values["client-secret"],
  tokenLifetimeSeconds: integer(values["token-lifetime"], "token-lifetime"),
  legacy401Messages: values["legacy-401-messages"],
});

const ready = {
  ready: true,
  url: emulator.url,
  accountsUrl: emulator.accountsUrl,
  apiUrl: emulator.apiUrl,
  adminUrl: emulator.adminUrl,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  emulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

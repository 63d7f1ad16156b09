/**
 * The child side of a local Lambda container (container.ts starts it): imports the function's
 * module once (the INIT phase), tells the parent it is ready, then runs one invocation at a time
 * as the parent sends them over IPC, each with a Lambda context (lambda-context.ts) whose deadline
 * is the timeout from the moment it starts. It can also time a bare `fetch` from inside the
 * container (the bench's floor). The function's own output goes to this process's stdout/stderr.
 *
 * Runs as a plain-JavaScript bundle under `node` (bench, fleet: `buildContainerHost`) or from
 * source under tsx (tests, whose handlers are TypeScript). argv[2]: JSON `HostConfig`.
 */
import { pathToFileURL } from "node:url";
import type { HostConfig, HostReply, HostRequest } from "./container-protocol.ts";
import { lambdaContext } from "./lambda-context.ts";

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const config = JSON.parse(process.argv[2] ?? "{}") as HostConfig;
const fn = { functionName: config.functionName, memoryMb: config.memoryMb };
let handler: Handler | undefined;
let busy = false;

const send = (reply: HostReply) => process.send?.(reply);

async function invoke(id: number, event: unknown, timeoutMs: number): Promise<HostReply> {
  const context = lambdaContext(timeoutMs, Date.now, fn);
  const start = performance.now();
  try {
    const result = await handler?.(event, context);
    return { type: "done", id, start, end: performance.now(), result };
  } catch (caught) {
    const error = caught as Error | undefined;
    const name = `${error?.name ?? "Error"}`;
    return { type: "done", id, start, end: performance.now(), error: name, detail: error?.message };
  }
}

async function timedFetch(id: number, url: string, headers: Record<string, string>) {
  const start = performance.now();
  const response = await fetch(url, { headers });
  await response.text();
  return { type: "fetched", id, ms: performance.now() - start, status: response.status } as const;
}

process.on("message", (message: HostRequest) => {
  if (message.type === "fetch") {
    timedFetch(message.id, message.url, message.headers).then(send, (error: unknown) =>
      send({ type: "fetched", id: message.id, ms: 0, status: 0, error: String(error) }),
    );
    return;
  }
  // Lambda never sends a busy sandbox a second event; a parent that does gets told so.
  if (busy) {
    send({ type: "done", id: message.id, start: 0, end: 0, error: "busy" });
    return;
  }
  busy = true;
  invoke(message.id, message.event, message.timeoutMs).then((reply) => {
    busy = false;
    send(reply);
  });
});

// The parent's end of the channel closing means the run is over (or the parent died): leave.
process.on("disconnect", () => process.exit(0));

const initStart = performance.now();
try {
  const module = (await import(pathToFileURL(config.module).href)) as Record<string, unknown>;
  const exported = module[config.exportName];
  if (typeof exported !== "function") throw new Error(`no export ${config.exportName}`);
  handler = exported as Handler;
  send({
    type: "ready",
    timeOrigin: performance.timeOrigin,
    initMs: performance.now(),
    importMs: performance.now() - initStart,
  });
} catch (error) {
  const reply: HostReply = {
    type: "init-error",
    error: String((error as Error)?.message ?? error),
  };
  // Leave once the parent has the reason (or at once without a channel).
  if (process.send) process.send(reply, () => process.exit(1));
  else process.exit(1);
}

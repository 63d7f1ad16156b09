/**
 * One Lambda-like container of the fleet simulation: plain Node (no tsx, no loader), started with
 * the function's environment. It imports the built bundle once (the INIT phase), tells the parent
 * it is ready, then runs one invocation at a time as the parent sends them over IPC, each with a
 * Lambda context whose deadline is the function's timeout from the moment it starts.
 *
 * argv[2]: JSON {bundle, exportName, functionName, memoryMb, logStreamName}.
 * Parent → child: {type:"invoke", id, event, timeoutMs}.
 * Child → parent: {type:"ready", initMs (process start to ready), importMs} | {type:"init-error", error} |
 *                 {type:"done", id, statusCode, retryAfter, bodyBytes, durationMs, error}.
 * The function's own output (logs, EMF) goes to this process's stdout and stderr.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";

const config = JSON.parse(process.argv[2] ?? "{}");
let handler;
let busy = false;

function context(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const name = config.functionName;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: String(config.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: config.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function headerOf(result, name) {
  const headers = result?.headers ?? {};
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return String(value);
  }
  return undefined;
}

async function invoke(message) {
  const start = performance.now();
  let result;
  let error;
  try {
    result = await handler(message.event, context(message.timeoutMs));
  } catch (caught) {
    error = String(caught?.name ?? "Error");
  }
  const durationMs = performance.now() - start;
  return {
    type: "done",
    id: message.id,
    statusCode: typeof result?.statusCode === "number" ? result.statusCode : 0,
    retryAfter: headerOf(result, "retry-after"),
    bodyBytes: String(result?.body ?? "").length,
    durationMs,
    error,
  };
}

process.on("message", (message) => {
  if (message?.type !== "invoke") return;
  if (busy) {
    process.send?.({ type: "done", id: message.id, statusCode: 0, durationMs: 0, error: "busy" });
    return;
  }
  busy = true;
  invoke(message).then((done) => {
    busy = false;
    process.send?.(done);
  });
});

// The parent's end of the channel closing means the run is over (or the parent died): leave.
process.on("disconnect", () => process.exit(0));

const initStart = performance.now();
try {
  const module = await import(pathToFileURL(config.bundle).href);
  handler = module[config.exportName];
  if (typeof handler !== "function") throw new Error(`no export ${config.exportName}`);
  process.send?.({
    type: "ready",
    initMs: performance.now(),
    importMs: performance.now() - initStart,
  });
} catch (error) {
  process.send?.({ type: "init-error", error: String(error?.message ?? error) });
  process.exit(1);
}

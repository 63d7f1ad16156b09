import { createServer, type IncomingMessage } from "node:http";
import { parseArgs } from "node:util";
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from "aws-lambda";
import { functionEnvironment, lambdaRuntimeVariables } from "../template/function-environment.ts";
import { functionOf, loadTemplate } from "../template/template.ts";
import { toHttpApiEvent, writeResult } from "./http-event.ts";
import { lambdaContext } from "./lambda-context.ts";
import { exitOnSignals } from "./shutdown.ts";
import { realCredentialsFromEnv, startLocalStack } from "./stack.ts";

/**
 * `npm start`: the search service on this machine. A local HTTP endpoint turns each request into
 * an HTTP API v2.0 event for the real handler, on moto and the Spotify emulator (or, with
 * SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET set, on real Spotify).
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "3000" },
    host: { type: "string", default: "127.0.0.1" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}

// Signal handling first: a signal during start-up still stops what was started.
const shutdown = exitOnSignals((line) => process.stderr.write(`npm start: ${line}\n`));
const realCredentials = realCredentialsFromEnv();
const stack = await shutdown.during(startLocalStack({ realCredentials }), (started) =>
  started.stop(),
);
// moto gone (killed by someone else): nothing works any more, so everything stops.
void stack.moto.exited?.then(() => shutdown.stop(1));
const stop = (code: number) => shutdown.stop(code);

const template = loadTemplate();
const spec = functionOf(template, "SearchFunction");
Object.assign(
  process.env,
  functionEnvironment(template, spec.logicalId, {
    resources: stack.resources,
    overrides: { ...lambdaRuntimeVariables(spec), ...stack.env },
  }),
);
type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResult>;
const { handler } = (await import("../../handlers/search.ts")) as { handler: Handler };

const server = createServer(async (request, response) => {
  try {
    const event = toHttpApiEvent(request, await readBody(request));
    const context = lambdaContext(spec.timeout * 1000, Date.now, {
      functionName: spec.logicalId,
      memoryMb: spec.memorySize,
    });
    const result = await handler(event, context);
    writeResult(response, result);
  } catch (error) {
    console.error("The handler threw:", error);
    response.writeHead(502, { "content-type": "application/json" });
    response.end(JSON.stringify({ message: "Internal Server Error" }));
  }
});

shutdown.add(() => {
  server.close();
  server.closeAllConnections();
});

server.on("error", (error) => {
  console.error(`Could not listen on ${values.host}:${port}: ${error.message}`);
  void stop(1);
});
server.listen(port, values.host, () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  const base = `http://${values.host}:${actual}`;
  const upstream = stack.emulator
    ? `Spotify emulator ${stack.emulator.url} (faults: ${stack.emulator.adminUrl})`
    : "real Spotify (credentials from SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET)";
  process.stderr.write(`moto ${stack.moto.endpoint} (pid ${stack.moto.pid}); ${upstream}\n`);
  process.stdout.write(
    `Ready: Spotify search on ${base}  try: curl '${base}/search?q=BTS&type=artist'\n`,
  );
});

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

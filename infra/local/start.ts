import { parseArgs } from "node:util";
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from "aws-lambda";
import { functionOf, loadTemplate } from "../template/template.ts";
import { corsFromEnv } from "./cors.ts";
import { DOCS_PATH } from "./docs-page.ts";
import { localFunctionEnvironment } from "./function-env.ts";
import { lambdaContext } from "./lambda-context.ts";
import { createLocalServer } from "./local-server.ts";
import { exitOnSignals } from "./shutdown.ts";
import { realCredentialsFromEnv, startLocalStack } from "./stack.ts";

/**
 * `npm start`: the search service on this machine. A local HTTP endpoint turns each request into
 * an HTTP API v2.0 event for the real handler, on moto and the Spotify emulator (or, with
 * SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET set, on real Spotify). It also serves /docs, and
 * answers CORS for the origins in CORS_ALLOW_ORIGINS. See infra/local/README.md.
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
const environment = localFunctionEnvironment(template, spec, stack, process.env);
Object.assign(process.env, environment);
type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResult>;
const { handler } = (await import("../../handlers/search.ts")) as { handler: Handler };

const cors = corsFromEnv(process.env.CORS_ALLOW_ORIGINS);
const server = createLocalServer({
  invoke: (event) =>
    handler(
      event,
      lambdaContext(spec.timeout * 1000, Date.now, {
        functionName: spec.logicalId,
        memoryMb: spec.memorySize,
      }),
    ),
  cors,
  maxLimit: Number(environment.SPOTIFY_MAX_LIMIT),
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
  // One write, the ready line last: whoever waits for it has the others too.
  process.stdout.write(
    [
      `API reference, with "Try it out": ${base}${DOCS_PATH}`,
      ...(cors ? [`CORS allowed origins: ${cors.allowOrigins.join(", ")}`] : []),
      `Ready: Spotify search on ${base}  try: curl '${base}/search?q=BTS&type=artist'\n`,
    ].join("\n"),
  );
});

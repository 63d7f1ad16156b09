import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";

/** An AWS call seen on the wire between a function's SDK and moto. */
export interface AwsCall {
  /** `secretsmanager.GetSecretValue`, `AmazonSSM.GetParameter`, or `S3 PUT /bucket/key`. */
  operation: string;
  /** Epoch milliseconds (sub-millisecond precision) when the request arrived. */
  at: number;
  /** When moto's answer had been passed on in full (undefined while pending or on error). */
  doneAt?: number;
}

/** One call in full, for an observer that reads the bodies (the fleet's DynamoDB meter). */
export interface AwsExchange {
  call: AwsCall;
  status: number;
  request: Buffer;
  response: Buffer;
}

export interface CountingProxy {
  endpoint: string;
  readonly calls: readonly AwsCall[];
  count(operation: string): number;
  close(): Promise<void>;
}

export const GET_SECRET_VALUE = "secretsmanager.GetSecretValue";

/** Epoch milliseconds with performance.now()'s resolution. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** DynamoDB writes, which the proxy hands to moto one at a time. */
const DYNAMODB_WRITE = /^DynamoDB_\d+\.(PutItem|UpdateItem|DeleteItem|TransactWriteItems)$/;

/**
 * A tiny HTTP proxy in front of moto that forwards every request unchanged and records which AWS
 * operation it was (X-Amz-Target, or the S3 method and path), so the bench counts SDK calls on the
 * wire and never in the function's own code. Tests use it the same way.
 *
 * DynamoDB checks a conditional write and applies it atomically; moto does not when two arrive at
 * once. The proxy forwards DynamoDB writes one at a time, so moto behind it keeps that guarantee.
 *
 * With `observe`, each call's request and answer are held in full and handed to it once answered;
 * without, both stream through.
 */
export async function startCountingProxy(
  target: string,
  observe?: (exchange: AwsExchange) => void,
): Promise<CountingProxy> {
  const upstream = new URL(target);
  const calls: AwsCall[] = [];
  let writes: Promise<void> = Promise.resolve();
  const server: Server = createServer((req, res) => {
    const amzTarget = req.headers["x-amz-target"];
    const operation =
      typeof amzTarget === "string" ? amzTarget : `S3 ${req.method} ${req.url?.split("?")[0]}`;
    const call: AwsCall = { operation, at: epochNow() };
    calls.push(call);
    if (!DYNAMODB_WRITE.test(operation)) return forward(req, res, call);
    const previous = writes;
    writes = new Promise<void>((done) => {
      res.once("close", done);
      previous.then(() => forward(req, res, call));
    });
  });
  const forward = (req: IncomingMessage, res: ServerResponse, call: AwsCall) => {
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const response: Buffer[] = [];
        if (observe) answer.on("data", (chunk: Buffer) => response.push(chunk));
        answer.once("end", () => {
          call.doneAt = epochNow();
          observe?.({
            call,
            status: answer.statusCode ?? 0,
            request: Buffer.concat(request),
            response: Buffer.concat(response),
          });
        });
        answer.pipe(res);
      },
    );
    const request: Buffer[] = [];
    if (observe) req.on("data", (chunk: Buffer) => request.push(chunk));
    outgoing.on("error", () => res.destroy());
    req.pipe(outgoing);
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    count: (operation) => calls.filter((call) => call.operation === operation).length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { createServer, request as httpRequest, type Server } from "node:http";

/** A call seen on the wire between the SDK and moto. */
export interface AwsCall {
  /** `secretsmanager.GetSecretValue`, `AmazonSSM.GetParameter`, or `S3 PUT /bucket/key`. */
  operation: string;
  at: number;
}

export interface AwsProxy {
  endpoint: string;
  calls: AwsCall[];
  count(operation: string): number;
  close(): Promise<void>;
}

/**
 * Forwards every request to moto unchanged and records which AWS operation it was, so tests can
 * count SDK calls on the wire rather than in our own code.
 */
export async function startAwsProxy(target: string): Promise<AwsProxy> {
  const upstream = new URL(target);
  const calls: AwsCall[] = [];
  const server: Server = createServer((req, res) => {
    const targetHeader = req.headers["x-amz-target"];
    const operation =
      typeof targetHeader === "string"
        ? targetHeader
        : `S3 ${req.method} ${req.url?.split("?")[0]}`;
    calls.push({ operation, at: Date.now() });
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
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

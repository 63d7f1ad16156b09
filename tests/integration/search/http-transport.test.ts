import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { httpTransport, type TransportRequest } from "../../../lib/spotify/http-transport.ts";

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** Which connection (in order of opening) the request came on. */
  connection: number;
}

type Handler = (request: IncomingMessage, response: ServerResponse, received: Received) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real HTTP server on 127.0.0.1 that records every request (with its body) it is sent. */
async function serve(handler: Handler) {
  const received: Received[] = [];
  const connections = new WeakMap<Socket, number>();
  let opened = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.once("end", () => {
      const entry: Received = {
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        connection: connections.get(request.socket) ?? 0,
      };
      received.push(entry);
      handler(request, response, entry);
    });
  });
  server.on("connection", (socket) => connections.set(socket, ++opened));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, connections: () => opened };
}

/** Resolves when the server's side of an answer closes: whether it wrote all it meant to. */
function closeOf(response: ServerResponse): Promise<{ finished: boolean }> {
  return new Promise((resolve) =>
    response.once("close", () => resolve({ finished: response.writableFinished })),
  );
}

const get = (url: string, headers: Record<string, string> = {}): TransportRequest => ({
  method: "GET",
  url,
  headers,
});

describe("httpTransport's answers", () => {
  it("gives the status, the headers by any case, and the body text decoded as UTF-8", async () => {
    const body = JSON.stringify({ name: "Björk 방탄 🎵" });
    const bytes = Buffer.from(body);
    const spotify = await serve((_request, response) => {
      response.writeHead(418, { "Content-Type": "application/json", "X-Trace": "abc" });
      // Cut through a multi-byte character: the text is decoded from the whole body, not per chunk.
      const cut = bytes.indexOf(Buffer.from("방")) + 1;
      response.write(bytes.subarray(0, cut));
      response.end(bytes.subarray(cut));
    });

    const result = await httpTransport({ maxBodyBytes: 1_024 })(get(`${spotify.url}/v1`), 5_000);

    expect(result).toMatchObject({ kind: "response", status: 418, text: body });
    if (result.kind !== "response") return;
    expect(result.headers.get("x-trace")).toBe("abc");
    expect(result.headers.get("X-TRACE")).toBe("abc");
    expect(result.headers.get("content-type")).toBe("application/json");
    expect(result.headers.get("retry-after")).toBeNull();
  });

  it("sends the method, path and headers it was given", async () => {
    const spotify = await serve((_request, response) => response.end("{}"));

    await httpTransport({ maxBodyBytes: 1_024 })(
      get(`${spotify.url}/v1/search?q=a%20b&type=track`, { authorization: "Bearer t" }),
      5_000,
    );

    expect(spotify.received).toEqual([
      expect.objectContaining({
        method: "GET",
        path: "/v1/search?q=a%20b&type=track",
        headers: expect.objectContaining({ authorization: "Bearer t" }),
      }),
    ]);
  });

  it("sends a POST body with its content-length in bytes, not chunked", async () => {
    const spotify = await serve((_request, response) => response.end("{}"));
    const form = "grant_type=client_credentials&note=é";

    await httpTransport({ maxBodyBytes: 1_024 })(
      {
        method: "POST",
        url: `${spotify.url}/api/token`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form,
      },
      5_000,
    );

    const [token] = spotify.received;
    expect(token?.method).toBe("POST");
    expect(token?.body).toBe(form);
    expect(token?.headers["content-length"]).toBe(String(Buffer.byteLength(form)));
    expect(token?.headers["transfer-encoding"]).toBeUndefined();
  });

  it("returns a 3xx as it is and never follows it: the Location's server sees no request", async () => {
    const elsewhere = await serve((_request, response) => response.end("{}"));
    const spotify = await serve((_request, response) => {
      response.writeHead(302, { location: `${elsewhere.url}/steal` });
      response.end("moved");
    });

    const result = await httpTransport({ maxBodyBytes: 1_024 })(
      get(`${spotify.url}/v1/search`, { authorization: "Bearer secret-token" }),
      5_000,
    );

    expect(result).toMatchObject({ kind: "response", status: 302, text: "moved" });
    if (result.kind === "response") {
      expect(result.headers.get("location")).toBe(`${elsewhere.url}/steal`);
    }
    expect(elsewhere.received).toEqual([]);
  });
});

describe("httpTransport's faults, answered never thrown", () => {
  it("the attempt timeout answers timeout and closes the connection", async () => {
    let closed: Promise<{ finished: boolean }> | undefined;
    const spotify = await serve((_request, response) => {
      closed = closeOf(response); // and never answers
    });

    const result = await httpTransport({ maxBodyBytes: 1_024 })(get(`${spotify.url}/v1`), 100);

    expect(result).toEqual({ kind: "timeout" });
    await expect(closed).resolves.toEqual({ finished: false });
  });

  it("a timeout in the middle of the body is still a timeout", async () => {
    const spotify = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"tracks":'); // and stalls
    });

    const result = await httpTransport({ maxBodyBytes: 1_024 })(get(`${spotify.url}/v1`), 100);

    expect(result).toEqual({ kind: "timeout" });
  });

  it("a connection reset before any answer is a network fault, not sent again on a fresh connection", async () => {
    const spotify = await serve((request) => request.socket.destroy());

    const result = await httpTransport({ maxBodyBytes: 1_024 })(get(`${spotify.url}/v1`), 5_000);

    expect(result).toMatchObject({ kind: "network", error: expect.any(Error) });
    expect(spotify.received).toHaveLength(1);
  });

  it("a connection reset in the middle of the body is a network fault", async () => {
    const spotify = await serve((request, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write('{"tracks":');
      setImmediate(() => request.socket.destroy());
    });

    const result = await httpTransport({ maxBodyBytes: 1_024 })(get(`${spotify.url}/v1`), 5_000);

    expect(result.kind).toBe("network");
  });

  it.each([
    ["a URL it cannot parse", "not a url"],
    ["a port out of range", "http://127.0.0.1:99999/v1"],
    ["a protocol other than HTTP(S)", "ftp://127.0.0.1/v1"],
  ])("%s is a network fault", async (_name, url) => {
    const result = await httpTransport({ maxBodyBytes: 1_024 })(get(url), 5_000);

    expect(result).toMatchObject({ kind: "network", error: expect.any(Error) });
  });

  it("a header value Node refuses is a network fault", async () => {
    const spotify = await serve((_request, response) => response.end("{}"));

    const result = await httpTransport({ maxBodyBytes: 1_024 })(
      get(`${spotify.url}/v1`, { authorization: "Bearer a\r\nx-injected: 1" }),
      5_000,
    );

    expect(result.kind).toBe("network");
    expect(spotify.received).toEqual([]);
  });
});

describe("httpTransport's body limit", () => {
  it("a streamed body past maxBodyBytes answers too-large, and the connection closes before the server wrote it all", async () => {
    const chunk = Buffer.alloc(16 * 1024, "a");
    const total = 64 * 1024 * 1024; // far beyond what loopback socket buffers absorb
    let written = 0;
    let closed: Promise<{ finished: boolean }> | undefined;
    const spotify = await serve((_request, response) => {
      closed = closeOf(response);
      response.writeHead(200, { "content-type": "application/json" });
      const pump = () => {
        while (written < total && !response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
        if (!response.destroyed) response.end();
      };
      pump();
    });

    const result = await httpTransport({ maxBodyBytes: 20_000 })(get(`${spotify.url}/v1`), 5_000);

    expect(result).toEqual({ kind: "too-large", status: 200, limitBytes: 20_000 });
    await expect(closed).resolves.toEqual({ finished: false });
    expect(written).toBeLessThan(total);
  });

  it("a declared Content-Length over the limit answers too-large without reading the body", async () => {
    let closed: Promise<{ finished: boolean }> | undefined;
    const spotify = await serve((_request, response) => {
      closed = closeOf(response);
      // Declares 10 MB and sends nothing more: a reader waiting for the body would time out.
      response.writeHead(503, { "content-length": String(10_000_000) });
      response.flushHeaders();
    });

    const result = await httpTransport({ maxBodyBytes: 1_024 })(get(`${spotify.url}/v1`), 10_000);

    expect(result).toEqual({ kind: "too-large", status: 503, limitBytes: 1_024 });
    await expect(closed).resolves.toEqual({ finished: false });
  });

  it("a body of exactly maxBodyBytes is read whole", async () => {
    const body = `"${"x".repeat(1_022)}"`;
    const spotify = await serve((_request, response) => response.end(body));

    const result = await httpTransport({ maxBodyBytes: 1_024 })(get(`${spotify.url}/v1`), 5_000);

    expect(result).toMatchObject({ kind: "response", status: 200, text: body });
  });
});

describe("httpTransport's kept-alive connections", () => {
  it("reuses one connection for requests in turn", async () => {
    const spotify = await serve((_request, response) => response.end("{}"));
    const transport = httpTransport({ maxBodyBytes: 1_024 });

    await transport(get(`${spotify.url}/v1`), 5_000);
    await transport(get(`${spotify.url}/v1`), 5_000);

    expect(spotify.received.map((request) => request.connection)).toEqual([1, 1]);
  });

  it("a request on a kept-alive connection the server dropped is sent again once, on a new one", async () => {
    // The server drops its side of the first connection when the next request arrives on it,
    // as a connection it closed while the container was frozen fails.
    const spotify = await serve((request, response, received) => {
      if (received.connection === 1 && spotify.received.length > 1) request.socket.destroy();
      else response.end(JSON.stringify({ n: spotify.received.length }));
    });
    const transport = httpTransport({ maxBodyBytes: 1_024 });
    await transport(get(`${spotify.url}/v1`), 5_000);

    const result = await transport(get(`${spotify.url}/v1`), 5_000);

    expect(result).toMatchObject({ kind: "response", status: 200, text: '{"n":3}' });
    expect(spotify.received.map((request) => request.connection)).toEqual([1, 1, 2]);
  });

  it("is sent again only once, even when the resend also meets a dropped kept-alive connection", async () => {
    // Two connections kept alive; afterwards the server drops every request.
    const held: ServerResponse[] = [];
    const spotify = await serve((request, response) => {
      if (spotify.received.length > 2) return void request.socket.destroy();
      held.push(response);
      if (held.length === 2) for (const answer of held) answer.end("{}");
    });
    const transport = httpTransport({ maxBodyBytes: 1_024 });
    await Promise.all([
      transport(get(`${spotify.url}/v1`), 5_000),
      transport(get(`${spotify.url}/v1`), 5_000),
    ]);

    const result = await transport(get(`${spotify.url}/v1`), 5_000);

    expect(result.kind).toBe("network");
    // The request and its one resend, each on a kept-alive connection; no third try.
    expect(
      spotify.received
        .map((request) => request.connection)
        .slice(2)
        .sort(),
    ).toEqual([1, 2]);
    expect(spotify.connections()).toBe(2);
  });
});

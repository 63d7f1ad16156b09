import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ADMIN_PREFIX, handleAdmin } from "./admin.ts";
import { dispatch, endpointOf } from "./dispatch.ts";
import { apiError } from "./replies.ts";
import { EmulatorState } from "./state.ts";
import type { Emulator, EmulatorOptions, IncomingCall, RecordedRequest, Reply } from "./types.ts";

export type * from "./types.ts";

const MAX_BODY_BYTES = 1024 * 1024;

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function firstValues(params: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of params) if (!(name in query)) query[name] = value;
  return query;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new RangeError("request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, reply: Reply, record?: RecordedRequest): void {
  if (record !== undefined) {
    record.status = reply.status;
    const retryAfter = Object.entries(reply.headers).find(
      ([n]) => n.toLowerCase() === "retry-after",
    );
    if (retryAfter !== undefined) record.retryAfter = retryAfter[1];
  }
  if (res.destroyed) return;
  const body = Buffer.from(reply.body, "utf8");
  res.writeHead(reply.status, { ...reply.headers, "Content-Length": String(body.length) });
  res.end(body);
}

function hostForUrl(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

/** Start the offline Spotify emulator (accounts + Web API search + admin API on one port). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new EmulatorState(options);
  const hanging = new Set<Socket>();
  const sleepers = new Set<() => void>();
  let closing = false;
  let apiUrl = "";

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const method = req.method ?? "GET";
    if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      send(res, handleAdmin(emulator, method, url, await readBody(req)));
      return;
    }
    const headers = flatHeaders(req);
    const record: RecordedRequest = {
      endpoint: endpointOf(url.pathname),
      method,
      path: url.pathname,
      query: firstValues(url.searchParams),
      rawUrl: req.url ?? "/",
      headers,
      body: "",
      receivedAt: state.now(),
      status: 0,
    };
    state.requests.push(record);
    record.body = await readBody(req);
    const call: IncomingCall = { method, url, headers, body: record.body };
    let action = dispatch(state, call, record, apiUrl);
    if (action.type === "delay") {
      await sleep(action.ms);
      if (closing || res.destroyed) return;
      action = dispatch(state, call, record, apiUrl, true);
    }
    // Decided on arrival, answered after the network and Spotify's own time.
    const latencyMs = record.endpoint === "other" ? 0 : state.latencyMs();
    if (latencyMs > 0) {
      await sleep(latencyMs);
      if (closing || res.destroyed) return;
    }
    if (action.type === "reset") {
      req.socket.destroy();
    } else if (action.type === "hang") {
      hanging.add(req.socket);
      req.socket.once("close", () => hanging.delete(req.socket));
    } else if (action.type === "reply") {
      record.answeredAt = state.now();
      send(res, action.reply, record);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof RangeError) send(res, apiError(413, "Request entity too large"));
      else if (!res.headersSent) send(res, apiError(500, "Server error."));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const url = `http://${hostForUrl(address.address)}:${address.port}`;
  apiUrl = `${url}/v1`;

  const emulator: Emulator = {
    url,
    accountsUrl: url,
    apiUrl,
    adminUrl: `${url}${ADMIN_PREFIX}`,
    port: address.port,
    get requests() {
      return state.requests;
    },
    get config() {
      return state.config;
    },
    count: (endpoint) => state.count(endpoint),
    fault: (endpoint, fault, times) => state.fault(endpoint, fault, times),
    clearFaults: (endpoint) => state.faults.clear(endpoint),
    pendingFaults: (endpoint) => state.faults.pending(endpoint),
    revokeTokens: () => state.tokens.revokeAll(),
    issueToken: () => state.issueToken(),
    setRateLimit: (limit) => state.setRateLimit(limit),
    setQuota: (quota) => state.setQuota(quota),
    setTokenLifetime: (seconds) => state.configure({ tokenLifetimeSeconds: seconds }),
    setProfile: (profile) => state.setProfile(profile),
    setClient: (clientId, clientSecret) => state.setClient(clientId, clientSecret),
    configure: (patch) => state.configure(patch),
    reset: () => state.reset(),
    close: () => {
      closing = true;
      for (const wake of [...sleepers]) wake();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of hanging) socket.destroy();
      server.closeAllConnections();
      return closed;
    },
  };
  return emulator;
}

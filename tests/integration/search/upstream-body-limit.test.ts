import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { systemClock } from "../../../lib/clock.ts";
import { httpApiEvent } from "../../support/events.ts";
import { handlerWithClock } from "../../support/runtime.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

const MIB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, "a");

let stack: TestStack;
let server: Server;
let origin: string;
/** Bytes the oversized Spotify managed to hand to the socket before the caller hung up. */
const written: number[] = [];

/** A Spotify whose search answers a 40 MiB body, streamed as the reader takes it. */
function startHugeSpotify(): Promise<void> {
  server = createServer((request, response) => {
    const declared = new URL(request.url ?? "/", "http://x").searchParams.get("q") === "declared";
    response.writeHead(200, {
      "content-type": "application/json",
      ...(declared ? { "content-length": String(40 * MIB) } : {}),
    });
    let sent = 0;
    const index = written.push(0) - 1;
    const pump = () => {
      while (sent < 40 * MIB && !response.destroyed) {
        sent += CHUNK.length;
        written[index] = sent;
        if (!response.write(CHUNK)) return void response.once("drain", pump);
      }
      response.end();
    };
    response.write('{"tracks":"');
    pump();
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    });
  });
}

beforeAll(async () => {
  stack = await startTestStack();
  await startHugeSpotify();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await stack.close();
});

describe("an upstream body over UPSTREAM_MAX_BODY_BYTES (8 MiB by default)", () => {
  it("a 40 MiB search body → 502 as soon as the limit passes; the rest is never read", async () => {
    const env = { ...stack.env, SPOTIFY_API_URL: `${origin}/v1` };
    const { handler } = handlerWithClock({ ...stack, env }, systemClock);

    const answer = await handler(httpApiEvent("q=huge&type=track"), lambdaContext());

    expect(answer.statusCode).toBe(502);
    expect(JSON.parse(answer.body).error.message).toMatch(/larger than 8388608 bytes/);
    // Reading stopped at the limit: what the server wrote is the limit plus socket buffers.
    expect(written.at(-1)).toBeLessThan(16 * MIB);
    expect(written).toHaveLength(1);
  });

  it("a declared Content-Length over the limit is refused before reading the body", async () => {
    const env = { ...stack.env, SPOTIFY_API_URL: `${origin}/v1`, CACHE_TTL_SECONDS: "0" };
    const { handler } = handlerWithClock({ ...stack, env }, systemClock);

    const answer = await handler(httpApiEvent("q=declared&type=track"), lambdaContext());

    expect(answer.statusCode).toBe(502);
    expect(written.at(-1)).toBeLessThan(16 * MIB);
  });

  it("the same bound holds for the token endpoint", async () => {
    const env = { ...stack.env, SPOTIFY_ACCOUNTS_URL: origin };
    const { handler } = handlerWithClock({ ...stack, env }, systemClock);

    const answer = await handler(httpApiEvent("q=token&type=track"), lambdaContext());

    expect(answer.statusCode).toBe(502);
    expect(written.at(-1)).toBeLessThan(16 * MIB);
  });
});

import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { systemClock } from "../../../lib/clock.ts";
import { loadEvent } from "../../support/events.ts";
import { handlerWithClock } from "../../support/runtime.ts";
import { motoTables } from "../../support/shared-tables.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack;
const tables = motoTables("links");
const DOMAIN = "abc123.execute-api.eu-west-1.amazonaws.com";

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());
afterEach(() => stack.emulator.reset());

/** An HTTP API (v2.0) event for a URL, as API Gateway builds it on a named stage. */
function v2Event(url: string): APIGatewayProxyEventV2 {
  const target = new URL(url);
  const event = loadEvent<APIGatewayProxyEventV2>("search-http-api.json");
  return {
    ...event,
    rawPath: target.pathname,
    rawQueryString: target.search.slice(1),
    headers: { ...event.headers, host: target.host },
    queryStringParameters: Object.fromEntries(target.searchParams),
    requestContext: {
      ...event.requestContext,
      domainName: target.hostname,
      stage: target.pathname.split("/")[1] ?? "$default",
      http: { ...event.requestContext.http, path: target.pathname },
    },
  };
}

/**
 * A REST API (v1) event for a URL: the stage is not in `path`, and the query values are decoded
 * the REST API's way (`+` reads as a space).
 */
function v1Event(url: string): APIGatewayProxyEvent {
  const target = new URL(url);
  const event = loadEvent<APIGatewayProxyEvent>("search-rest-api.json");
  const multi: Record<string, string[]> = {};
  for (const [name, value] of target.searchParams) multi[name] = [...(multi[name] ?? []), value];
  return {
    ...event,
    path: target.pathname.replace(/^\/prod/, ""),
    headers: { ...event.headers, Host: target.host },
    multiValueHeaders: { ...event.multiValueHeaders, Host: [target.host] },
    queryStringParameters: Object.fromEntries(target.searchParams),
    multiValueQueryStringParameters: multi,
    requestContext: { ...event.requestContext, domainName: target.hostname, path: target.pathname },
  };
}

type Paging = { href: string; next: string | null; previous: string | null; offset: number };

function searchHandler(env: Record<string, string> = {}) {
  return handlerWithClock({ ...stack, env: { ...stack.env, ...env } }, systemClock).handler;
}

async function ask(handler: ReturnType<typeof searchHandler>, event: unknown) {
  const answer = await handler(event as APIGatewayProxyEventV2, lambdaContext());
  expect(answer.statusCode).toBe(200);
  return JSON.parse(answer.body) as Record<string, Paging>;
}

describe("paging links lead back to us, under both payload versions", () => {
  it.each([
    ["HTTP API v2", v2Event],
    ["REST API v1", v1Event],
  ] as const)(
    "%s: next is our /prod/search, page 2 answers, and its previous leads to offset 0",
    async (_, event) => {
      const handler = searchHandler();
      const first = await ask(
        handler,
        event(`https://${DOMAIN}/prod/search?q=Daft%20Punk&type=artist&limit=5`),
      );

      expect(first.artists?.next).toBe(
        `https://${DOMAIN}/prod/search?q=Daft%20Punk&type=artist&offset=5&limit=5`,
      );
      expect(first.artists?.href).toBe(
        `https://${DOMAIN}/prod/search?q=Daft%20Punk&type=artist&offset=0&limit=5`,
      );
      expect(first.artists?.previous).toBeNull();

      const second = await ask(handler, event(first.artists?.next ?? ""));
      expect(second.artists?.offset).toBe(5);
      const back = await ask(handler, event(second.artists?.previous ?? ""));
      expect(back.artists?.offset).toBe(0);
      const sent = stack.emulator.requests.filter((r) => r.endpoint === "search");
      expect(sent.map((r) => r.query.q)).toEqual(["Daft Punk", "Daft Punk", "Daft Punk"]);
    },
  );

  it("a multi-type search: each type's links page that type, from our base", async () => {
    const handler = searchHandler();
    const body = await ask(
      handler,
      v2Event(`https://${DOMAIN}/prod/search?q=abba&type=track,album&limit=3`),
    );

    for (const [type, paging] of [
      ["track", body.tracks],
      ["album", body.albums],
    ] as const) {
      expect(paging?.next?.startsWith(`https://${DOMAIN}/prod/search?q=abba&type=`)).toBe(true);
      const next = await ask(handler, v2Event(paging?.next ?? ""));
      expect(next[`${type}s`]?.offset).toBe(3);
    }
  });

  it("with PUBLIC_BASE_URL, links are PUBLIC_BASE_URL + /search whatever host was asked", async () => {
    const handler = searchHandler({ PUBLIC_BASE_URL: "https://music.example.com/api" });
    const body = await ask(
      handler,
      v2Event(`https://${DOMAIN}/prod/search?q=abba&type=artist&limit=2`),
    );

    expect(body.artists?.next).toBe(
      "https://music.example.com/api/search?q=abba&type=artist&offset=2&limit=2",
    );
  });

  it("q with +, & and a space reads back the same under both payload versions", async () => {
    const handler = searchHandler();
    const q = "rock & roll +1";
    const first = await ask(
      handler,
      v2Event(`https://${DOMAIN}/prod/search?q=${encodeURIComponent(q)}&type=track&limit=2`),
    );
    const next = first.tracks?.next ?? "";

    await ask(handler, v2Event(next));
    await ask(handler, v1Event(next));
    const sent = stack.emulator.requests.filter((r) => r.endpoint === "search");
    expect(sent.map((r) => r.query.q)).toEqual([q, q, q]);
  });

  it("item links stay Spotify's; only paging links change", async () => {
    const handler = searchHandler();
    const body = await ask(handler, v2Event(`https://${DOMAIN}/search?q=abba&type=artist&limit=2`));
    const items = (body.artists as unknown as { items: { href: string }[] }).items;

    expect(items[0]?.href.startsWith(`${stack.emulator.apiUrl}/artists/`)).toBe(true);
  });
});

describe("one cached entry serves every host", () => {
  it("two containers sharing the table, asked for two hosts: the second's hit links to its own host only", async () => {
    const table = await tables.fresh();
    const env = {
      CACHE_TTL_SECONDS: "600",
      CACHE_TABLE_NAME: table,
      CACHE_READ_TIMEOUT_MS: "5000",
    };
    const a = searchHandler(env);
    const b = searchHandler(env);

    await a(v2Event("https://one.example.com/search?q=abba&type=artist&limit=2"), lambdaContext());
    const hit = await b(
      v2Event("https://two.example.com/search?q=abba&type=artist&limit=2"),
      lambdaContext(),
    );

    expect(hit.headers["cache-status"]).toMatch(/; hit;/);
    expect(stack.emulator.count("search")).toBe(1);
    expect(hit.body).toContain("https://two.example.com/search?");
    expect(hit.body).not.toContain("one.example.com");
    expect(hit.body).not.toContain(`${stack.emulator.apiUrl}/search?`);
  });

  it("a followed next is the same cache key as the same page asked by hand", async () => {
    const handler = searchHandler({ CACHE_TTL_SECONDS: "600" });
    const first = await ask(
      handler,
      v2Event(`https://${DOMAIN}/search?q=abba&type=artist&limit=2`),
    );
    await ask(handler, v2Event(first.artists?.next ?? ""));

    const byHand = await handler(
      v2Event(`https://${DOMAIN}/search?type=artist&limit=2&offset=2&q=abba`),
      lambdaContext(),
    );

    expect(byHand.headers["cache-status"]).toMatch(/; hit;/);
    expect(stack.emulator.count("search")).toBe(2);
  });
});

describe("answers to requests with credentials are private", () => {
  it("Authorization (any case) → Cache-Control: private; without → public", async () => {
    const handler = searchHandler({ CACHE_TTL_SECONDS: "600" });
    const plain = v2Event(`https://${DOMAIN}/search?q=abba&type=artist&limit=2`);
    const signed = {
      ...plain,
      headers: { ...plain.headers, Authorization: "AWS4-HMAC-SHA256 Credential=x" },
    };

    const open = await handler(plain, lambdaContext());
    const closed = await handler(signed, lambdaContext());

    expect(open.headers["cache-control"]).toMatch(/^public, /);
    expect(closed.headers["cache-control"]).toMatch(/^private, /);
  });
});

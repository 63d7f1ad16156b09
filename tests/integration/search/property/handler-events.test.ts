import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../../infra/local/lambda-context.ts";
import { parseApiEvent } from "../../../../lib/http/api-event.ts";
import { parseSearchQuery } from "../../../../lib/search/search-params.ts";
import { coldSearchHandler } from "../../../support/container.ts";
import { httpApiEvent, loadEvent, restApiEvent } from "../../../support/events.ts";
import { startTestStack, type TestStack } from "../../../support/stack.ts";
import {
  chaoticRawQuery,
  expectErrorShape,
  rawQueryFromPairs,
  searchesIn,
  wireQuery,
} from "./arbitraries.ts";

let stack: TestStack;
let handler: Awaited<ReturnType<typeof coldSearchHandler>>;

beforeAll(async () => {
  stack = await startTestStack();
  handler = await coldSearchHandler(stack.env);
});
afterAll(() => stack.close());

/** Values of every kind JavaScript has, nested: what a misconfigured integration might send. */
const junk = fc.anything({
  maxDepth: 3,
  maxKeys: 4,
  withBoxedValues: true,
  withNullPrototype: true,
  withObjectString: true,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** A word in random letter case: "get", "GeT", "POST", "pOsT" … */
const anyCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) =>
      [...word]
        .map((letter, i) => (upper[i] ? letter.toUpperCase() : letter.toLowerCase()))
        .join(""),
    );

const method = fc.oneof(
  { weight: 4, arbitrary: anyCase("get") },
  {
    weight: 2,
    arbitrary: fc.constantFrom("post", "put", "delete", "patch", "head", "options").chain(anyCase),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
);
const path = fc.constantFrom(
  "/search",
  "/search/",
  "/prod/search",
  "/albums",
  "/Search",
  "search",
  "/search/x",
  "",
);
const query = fc.oneof(rawQueryFromPairs, chaoticRawQuery);
const stringMap = fc.dictionary(
  fc.string({ maxLength: 8 }),
  fc.oneof(fc.string({ maxLength: 8 }), junk),
  {
    maxKeys: 5,
  },
);
const multiMap = fc.dictionary(
  fc.string({ maxLength: 8 }),
  fc.oneof(
    fc.array(fc.oneof(fc.string({ maxLength: 8 }), junk), { maxLength: 3 }),
    fc.string(),
    junk,
  ),
  { maxKeys: 5 },
);
const or = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary }, { weight: 1, arbitrary: junk });

/** HTTP API v2 look-alikes: the right field names, each holding a right or a wrong value. */
const v2Like = fc.record(
  {
    version: or(fc.constant("2.0")),
    rawPath: or(path),
    rawQueryString: or(query),
    queryStringParameters: or(stringMap),
    requestContext: or(
      fc.record(
        {
          http: or(fc.record({ method: or(method), path: or(path) }, { requiredKeys: [] })),
          requestId: or(fc.string()),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

/** REST API v1 look-alikes. */
const v1Like = fc.record(
  {
    httpMethod: or(method),
    path: or(path),
    resource: or(path),
    multiValueQueryStringParameters: or(multiMap),
    queryStringParameters: or(stringMap),
    requestContext: or(fc.record({ requestId: or(fc.string()) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

/** Real events with one field swapped for junk or removed. */
const damagedReal = fc
  .tuple(
    fc.constantFrom("search-http-api.json", "search-rest-api.json", "search-bad-request.json"),
    fc.constantFrom(
      "requestContext",
      "rawPath",
      "rawQueryString",
      "queryStringParameters",
      "multiValueQueryStringParameters",
      "httpMethod",
      "path",
      "resource",
      "version",
    ),
    fc.option(junk, { freq: 4 }),
  )
  .map(([file, field, value]) => {
    const event: Record<string, unknown> = loadEvent(file);
    if (value === null) delete event[field];
    else event[field] = value;
    return event;
  });

/** Whatever the event, the handler answers 2xx or 4xx, errors in Spotify's shape, and never throws. */
async function checkAnyEvent(event: unknown): Promise<void> {
  stack.emulator.reset();

  const result = await handler(event, lambdaContext());

  expect(result.headers["content-type"]).toBe("application/json");
  const searches = searchesIn(stack.emulator.requests);
  expect(searches.filter((search) => search.status !== 200)).toEqual([]);
  if (result.statusCode >= 200 && result.statusCode < 300) {
    expect(result.statusCode).toBe(200);
    expect(searches).toHaveLength(1);
    const params = parseSearchQuery(parseApiEvent(event).query, 10);
    expect(searches[0]?.query).toEqual(wireQuery(params));
    return;
  }
  expect(result.statusCode).toBeGreaterThanOrEqual(400);
  expect(result.statusCode).toBeLessThan(500);
  expectErrorShape(result);
  expect(stack.emulator.count()).toBe(0);
}

describe("the search handler survives any event", () => {
  it("anything at all, from undefined to nested Maps and BigInts → 4xx in Spotify's error shape", async () => {
    await fc.assert(fc.asyncProperty(junk, checkAnyEvent), { numRuns: 300 });
  });

  it("HTTP API v2 look-alikes with wrong-typed or missing fields", async () => {
    await fc.assert(fc.asyncProperty(v2Like, checkAnyEvent), { numRuns: 400 });
  });

  it("REST API v1 look-alikes with wrong-typed or missing fields", async () => {
    await fc.assert(fc.asyncProperty(v1Like, checkAnyEvent), { numRuns: 400 });
  });

  it("the sample events with one field damaged or removed", async () => {
    await fc.assert(fc.asyncProperty(damagedReal, checkAnyEvent), { numRuns: 200 });
  });

  it("an event with no requestContext at all is not an API Gateway event → 400", async () => {
    const { requestContext: _, ...event } = httpApiEvent("q=BTS&type=artist");

    const result = await handler(event, lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(expectErrorShape(result)).toBe("The event is not an API Gateway proxy event");
  });
});

describe("methods in any letter case", () => {
  it("GET is GET however it is spelt, for both payload versions", async () => {
    await fc.assert(
      fc.asyncProperty(anyCase("get"), fc.boolean(), async (spelt, rest) => {
        stack.emulator.reset();
        const event = rest
          ? restApiEvent({ q: ["BTS"], type: ["artist"] }, spelt)
          : httpApiEvent("q=BTS&type=artist", spelt);

        const result = await handler(event, lambdaContext());

        expect(result.statusCode).toBe(200);
        expect(searchesIn(stack.emulator.requests)).toHaveLength(1);
      }),
      { numRuns: 30 },
    );
  });

  it("any other method → 405 naming it in capitals, with Allow: GET and no upstream call", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("post", "put", "delete", "patch", "head", "options").chain(anyCase),
        fc.boolean(),
        async (spelt, rest) => {
          stack.emulator.reset();
          const event = rest
            ? restApiEvent({ q: ["BTS"], type: ["artist"] }, spelt)
            : httpApiEvent("q=BTS&type=artist", spelt);

          const result = await handler(event, lambdaContext());

          expect(result.statusCode).toBe(405);
          expect(result.headers.allow).toBe("GET");
          expect(expectErrorShape(result)).toBe(
            `Method ${spelt.toUpperCase()} not allowed; use GET`,
          );
          expect(stack.emulator.count()).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});

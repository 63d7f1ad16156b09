import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../lib/errors.ts";
import { parseApiEvent } from "../../../lib/http/api-event.ts";
import { parseSearchQuery } from "../../../lib/search/search-params.ts";
import { MAX_QUERY_PARAMETERS } from "../../../lib/search/search-rules.ts";
import { httpApiEvent, loadEvent, restApiEvent } from "../../support/events.ts";

function v2(fields: Record<string, unknown>, method = "GET") {
  return { version: "2.0", rawPath: "/search", requestContext: { http: { method } }, ...fields };
}

function v1(fields: Record<string, unknown>, method = "GET") {
  return { httpMethod: method, path: "/search", ...fields };
}

describe("parseApiEvent: HTTP API v2", () => {
  it("reads method, path, query and API Gateway's request id from the sample event", () => {
    const request = parseApiEvent(loadEvent("search-http-api.json"));

    expect(request).toEqual({
      method: "GET",
      path: "/search",
      query: { q: ["BTS"], type: ["artist"] },
      requestId: "JKJaXmPLvHcESHA=",
      origin: {
        scheme: "https",
        host: "abcdef1234.execute-api.us-east-1.amazonaws.com",
        path: "/search",
      },
      authorized: false,
    });
  });

  it("keeps repeated names apart using rawQueryString", () => {
    const request = parseApiEvent(httpApiEvent("q=a&q=b&type=artist"));

    expect(request.query).toEqual({ q: ["a", "b"], type: ["artist"] });
  });

  it("prefers rawQueryString over the comma-joined queryStringParameters", () => {
    const event = v2({
      rawQueryString: "type=artist&type=track",
      queryStringParameters: { type: "artist,track" },
    });

    expect(parseApiEvent(event).query).toEqual({ type: ["artist", "track"] });
  });

  it("decodes percent-escapes and + as a space, leaving malformed escapes as they are", () => {
    const event = v2({ rawQueryString: "q=tom%20%26%20jerry+%231&x=%zz%&y=%E2%82" });

    expect(parseApiEvent(event).query).toEqual({
      q: ["tom & jerry #1"],
      x: ["%zz%"],
      y: ["\ufffd"],
    });
  });

  it("reads a name without = as an empty value", () => {
    expect(parseApiEvent(v2({ rawQueryString: "q&type=" })).query).toEqual({ q: [""], type: [""] });
  });

  it("reads an empty rawQueryString as no parameters, even beside queryStringParameters", () => {
    expect(
      parseApiEvent(v2({ rawQueryString: "", queryStringParameters: { q: "x" } })).query,
    ).toEqual({});
  });

  it("falls back to queryStringParameters when rawQueryString is absent, commas and all", () => {
    const event = v2({
      queryStringParameters: { q: "a,b", type: "artist,track", skip: undefined },
    });

    expect(parseApiEvent(event).query).toEqual({ q: ["a,b"], type: ["artist,track"] });
  });

  it("ignores non-string single values", () => {
    const event = v2({
      queryStringParameters: { q: 5, type: ["artist"], market: null, limit: "3" },
    });

    expect(parseApiEvent(event).query).toEqual({ limit: ["3"] });
  });

  it.each([null, undefined, "q=x", 7])(
    "reads queryStringParameters %j as no parameters",
    (value) => {
      expect(parseApiEvent(v2({ queryStringParameters: value })).query).toEqual({});
    },
  );

  it("upper-cases the method", () => {
    expect(parseApiEvent(v2({}, "get")).method).toBe("GET");
    expect(parseApiEvent(v2({}, "pOsT")).method).toBe("POST");
  });

  it("takes the path from requestContext.http.path when rawPath is missing", () => {
    const event = { requestContext: { http: { method: "GET", path: "/prod/search" } } };

    expect(parseApiEvent(event).path).toBe("/prod/search");
  });

  it("reads an event without any path as the empty path", () => {
    expect(parseApiEvent({ requestContext: { http: { method: "GET" } } }).path).toBe("");
  });

  it("leaves requestId undefined when it is not a string", () => {
    const event = { requestContext: { requestId: 12, http: { method: "GET" } } };

    expect(parseApiEvent(event).requestId).toBeUndefined();
  });
});

describe("parseApiEvent: REST API v1", () => {
  it("reads the sample event's multi-value parameters", () => {
    const request = parseApiEvent(loadEvent("search-rest-api.json"));

    expect(request).toEqual({
      method: "GET",
      path: "/search",
      query: {
        q: ["artist:Radiohead year:1997"],
        type: ["album,track"],
        market: ["GB"],
        limit: ["5"],
      },
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      // The REST API's `path` lacks the stage; the link base is the path as called.
      origin: {
        scheme: "https",
        host: "1234567890.execute-api.us-east-1.amazonaws.com",
        path: "/prod/search",
      },
      authorized: false,
    });
  });

  it("keeps every value of a repeated name from multiValueQueryStringParameters", () => {
    const request = parseApiEvent(restApiEvent({ q: ["a", "b"], type: ["artist"] }));

    expect(request.query).toEqual({ q: ["a", "b"], type: ["artist"] });
  });

  it("drops non-string values and wraps a bare string value", () => {
    const event = v1({
      multiValueQueryStringParameters: { q: ["a", 1, null, "b"], type: "artist", x: 5 },
    });

    expect(parseApiEvent(event).query).toEqual({ q: ["a", "b"], type: ["artist"] });
  });

  it("falls back to queryStringParameters when there are no multi-value parameters", () => {
    const event = v1({
      multiValueQueryStringParameters: null,
      queryStringParameters: { q: "a", type: "artist" },
    });

    expect(parseApiEvent(event).query).toEqual({ q: ["a"], type: ["artist"] });
  });

  it("reads null parameters as none", () => {
    expect(parseApiEvent(restApiEvent({})).query).toEqual({});
  });

  it("takes the path from resource when path is missing", () => {
    expect(parseApiEvent({ httpMethod: "get", resource: "/search" })).toMatchObject({
      method: "GET",
      path: "/search",
    });
  });

  it("prefers the v2 shape when an event carries both methods", () => {
    const event = {
      httpMethod: "POST",
      path: "/v1",
      rawPath: "/v2",
      requestContext: { http: { method: "GET" } },
    };

    expect(parseApiEvent(event)).toMatchObject({ method: "GET", path: "/v2" });
  });
});

describe("parseApiEvent: anything else", () => {
  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a string", "GET /search"],
    ["a number", 42],
    ["an array", []],
    ["an empty object", {}],
    ["no method anywhere", { rawPath: "/search", requestContext: { http: {} } }],
    ["a non-string v2 method", { requestContext: { http: { method: 1 } } }],
    ["a non-string v1 method", { httpMethod: ["GET"], path: "/search" }],
    ["a requestContext that is a string", { requestContext: "GET" }],
    ["a scheduled event", loadEvent("scheduled.json")],
  ])("refuses %s as not an API Gateway proxy event", (_name, event) => {
    expect(() => parseApiEvent(event)).toThrow(ValidationError);
    expect(() => parseApiEvent(event)).toThrow("The event is not an API Gateway proxy event");
  });
});

describe("parseApiEvent: parameter names that are also Object.prototype members", () => {
  // Found while writing these tests (a TypeError → 500, or a vanished "__proto__" parameter);
  // fixed meanwhile in lib/http/api-event.ts by collecting into prototype-less objects.
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"])(
    "reads rawQueryString %s=1 as an ordinary (unknown) name",
    (name) => {
      const request = parseApiEvent(v2({ rawQueryString: `${name}=1&q=x&${name}=2` }));

      expect(Object.keys(request.query)).toEqual([name, "q"]);
      expect(request.query[name]).toEqual(["1", "2"]);
    },
  );

  it("keeps a REST parameter named __proto__ (an own key of the parsed JSON) as a name", () => {
    const event = JSON.parse(
      '{"httpMethod":"GET","path":"/search","multiValueQueryStringParameters":{"__proto__":["x"],"q":["a"]}}',
    );

    const query = parseApiEvent(event).query;

    expect(Object.keys(query)).toEqual(["__proto__", "q"]);
    expect(Object.getPrototypeOf(query)).toBeNull();
  });

  it("keeps single-value parameters named __proto__ and constructor as names", () => {
    const event = JSON.parse(
      '{"httpMethod":"GET","path":"/search","queryStringParameters":{"__proto__":"x","constructor":"y"}}',
    );

    expect(Object.keys(parseApiEvent(event).query)).toEqual(["__proto__", "constructor"]);
  });

  it("keeps a REST parameter named constructor as an ordinary name", () => {
    const event = v1({ multiValueQueryStringParameters: { constructor: ["x"] } });

    expect(Object.keys(parseApiEvent(event).query)).toEqual(["constructor"]);
  });
});

describe("parseApiEvent: a path that is not a string", () => {
  it.each([
    ["an object that cannot become a string", JSON.parse('{"toString":"x"}')],
    ["a null-prototype object", Object.create(null)],
    ["a number", 42],
    ["an array", ["/search"]],
  ])("reads %s in requestContext.http.path as no path, without throwing", (_name, path) => {
    const event = { requestContext: { http: { method: "GET", path } } };

    expect(parseApiEvent(event).path).toBe("");
  });

  it("falls back from a non-string rawPath to requestContext.http.path", () => {
    const event = { rawPath: 5, requestContext: { http: { method: "GET", path: "/search" } } };

    expect(parseApiEvent(event).path).toBe("/search");
  });

  it("reads a REST event whose path and resource are objects as no path", () => {
    expect(parseApiEvent({ httpMethod: "GET", path: {}, resource: { toString: 1 } }).path).toBe("");
  });
});

/** A GET /search HTTP API event carrying only this raw query string. */
const rawQueryEvent = (rawQueryString: string) => v2({ rawQueryString });

/** A GET /search REST API event carrying only these multi-value parameters. */
const multiValueEvent = (multi: Record<string, string[]>) =>
  v1({ multiValueQueryStringParameters: multi });

const repeated = (count: number) => Array.from({ length: count }, () => "q=a").join("&");

/** Parse and validate as the handler does; the error it answers with. */
function refusal(event: unknown): ValidationError {
  try {
    parseSearchQuery(parseApiEvent(event).query, 10);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

function median(run: () => void, times: number): number {
  const samples = Array.from({ length: times }, () => {
    const started = performance.now();
    run();
    return performance.now() - started;
  });
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)] as number;
}

describe("query size: how many parameters", () => {
  it(`accepts ${MAX_QUERY_PARAMETERS} parameters and refuses one more, naming the cap`, () => {
    expect(Object.keys(parseApiEvent(rawQueryEvent(repeated(MAX_QUERY_PARAMETERS))).query)).toEqual(
      ["q"],
    );

    expect(refusal(rawQueryEvent(repeated(MAX_QUERY_PARAMETERS + 1))).message).toBe(
      `Too many query parameters (at most ${MAX_QUERY_PARAMETERS})`,
    );
  });

  it("counts only non-empty pairs, as URLSearchParams does", () => {
    const raw = `q=a&&&${"&".repeat(1000)}type=artist&`;

    expect(parseApiEvent(rawQueryEvent(raw)).query).toEqual({ q: ["a"], type: ["artist"] });
  });

  it("20,000 repeats of one name (HTTP API) are a 400 in well under 50 ms", () => {
    const event = rawQueryEvent(repeated(20_000));

    const started = performance.now();
    const error = refusal(event);
    const elapsed = performance.now() - started;

    expect(error.message).toMatch(/Too many query parameters/);
    expect(elapsed).toBeLessThan(50);
  });

  it("20,000 repeats of one name (REST API multi-value) are a 400", () => {
    const event = multiValueEvent({ q: Array.from({ length: 20_000 }, () => "a") });

    expect(refusal(event).message).toMatch(/Too many query parameters/);
  });

  it("20,000 distinct names (single-value parameters) are a 400", () => {
    const single = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`p${i}`, "a"]));

    expect(
      refusal({
        ...multiValueEvent({}),
        multiValueQueryStringParameters: null,
        queryStringParameters: single,
      }).message,
    ).toMatch(/Too many query parameters/);
  });

  it("the refusal does not grow with the number of repeats (10× the repeats, not 100× the time)", () => {
    const small = rawQueryEvent(repeated(1_000));
    const large = rawQueryEvent(repeated(10_000));
    refusal(small);
    refusal(large);

    const smallMs = median(() => refusal(small), 3);
    const largeMs = median(() => refusal(large), 3);

    // Linear or better: a quadratic parse would take ~100× as long for 10× the repeats.
    expect(largeMs).toBeLessThan(10 * smallMs + 5);
  });
});

function viaUrlSearchParams(raw: string): Record<string, string[]> {
  const expected: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    expected[name] = [...(expected[name] ?? []), value];
  }
  return expected;
}

describe("query parsing matches URLSearchParams on the whole string", () => {
  it("for any query string of up to the cap's number of pairs", () => {
    const chars = fc.constantFrom(..."ab=&?%+ 2F3Dé".split(""));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 40 }), (raw) => {
        expect({ ...parseApiEvent(rawQueryEvent(raw)).query }).toEqual(viaUrlSearchParams(raw));
      }),
      { numRuns: 2_000 },
    );
  });

  it.each(["q=%zz&type=artist&?", "?q=a&type=artist", "q=a&?b=c&&=d&e", "a=1&a=2&%3F=3"])(
    "%s",
    (raw) => {
      expect({ ...parseApiEvent(rawQueryEvent(raw)).query }).toEqual(viaUrlSearchParams(raw));
    },
  );
});

describe("parseApiEvent: where the caller reached us (the base of our paging links)", () => {
  const domain = "abc123.execute-api.eu-west-1.amazonaws.com";

  it("HTTP API: the Host header, https, and the raw path with its stage", () => {
    const event = v2({ rawPath: "/prod/search", headers: { host: domain } });
    expect(parseApiEvent(event).origin).toEqual({
      scheme: "https",
      host: domain,
      path: "/prod/search",
    });
  });

  it("without a Host header, API Gateway's domain name; a trailing slash is dropped", () => {
    const event = v2({
      rawPath: "/search/",
      requestContext: { domainName: domain, http: { method: "GET" } },
    });
    expect(parseApiEvent(event).origin).toEqual({ scheme: "https", host: domain, path: "/search" });
  });

  it("a Host header that could bend a URL is not used", () => {
    for (const host of ["evil.com/path", "a b", "x@evil.com", "evil.com?q=1", ""]) {
      const event = v2({
        headers: { host },
        requestContext: { domainName: domain, http: { method: "GET" } },
      });
      expect(parseApiEvent(event).origin.host).toBe(domain);
    }
  });

  it("X-Forwarded-Proto: http (the local stack) gives http links; anything else https", () => {
    const local = v2({ headers: { host: "127.0.0.1:3000", "x-forwarded-proto": "http" } });
    const odd = v2({ headers: { host: domain, "x-forwarded-proto": "gopher" } });
    expect(parseApiEvent(local).origin).toMatchObject({ scheme: "http", host: "127.0.0.1:3000" });
    expect(parseApiEvent(odd).origin.scheme).toBe("https");
  });
});

describe("parseApiEvent: a request with credentials", () => {
  it("an Authorization header in any case marks the request authorized", () => {
    expect(parseApiEvent(v2({ headers: { authorization: "Bearer t" } })).authorized).toBe(true);
    expect(parseApiEvent(v1({ headers: { AUTHORIZATION: "AWS4-HMAC-SHA256 …" } })).authorized).toBe(
      true,
    );
  });

  it("an authoriser's context (JWT, IAM, Lambda) marks it authorized; none or an empty one does not", () => {
    const jwt = v2({
      requestContext: { http: { method: "GET" }, authorizer: { jwt: { claims: {} } } },
    });
    const empty = v1({ requestContext: { authorizer: {} } });
    expect(parseApiEvent(jwt).authorized).toBe(true);
    expect(parseApiEvent(empty).authorized).toBe(false);
    expect(parseApiEvent(v2({})).authorized).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import {
  FUNCTION_ENVIRONMENT,
  loadApiConfig,
  loadCacheConfig,
  loadScheduledConfig,
  loadSpotifyConfig,
  SPOTIFY_SETTINGS,
} from "../../lib/config.ts";
import { ConfigurationError } from "../../lib/errors.ts";

const BASE = { SPOTIFY_SECRET_ID: "spotify-search/credentials" };
/** A value distinctive enough that finding it in a message means it was echoed. */
const LEAKY = "leaky-value-7f3a9c";

function configError(load: () => unknown): ConfigurationError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError");
}

describe("loadSpotifyConfig", () => {
  it("applies every default when only SPOTIFY_SECRET_ID is set", () => {
    expect(loadSpotifyConfig(BASE)).toEqual({
      secretId: "spotify-search/credentials",
      accountsUrl: "https://accounts.spotify.com",
      apiUrl: "https://api.spotify.com/v1",
      maxLimit: 10,
      secretCacheTtlMs: 300_000,
      tokenExpiryMarginMs: 60_000,
      maxBodyBytes: 8 * 1024 * 1024,
      retry: {
        maxAttempts: 3,
        baseDelayMs: 200,
        maxRetryAfterMs: 10_000,
        defaultRetryAfterMs: 5_000,
        attemptTimeoutMs: 5_000,
        deadlineMarginMs: 500,
      },
    });
  });

  it("reads every variable, converting seconds to milliseconds", () => {
    const config = loadSpotifyConfig({
      SPOTIFY_SECRET_ID: " arn:aws:secretsmanager:us-east-1:1:secret:x ",
      SPOTIFY_ACCOUNTS_URL: "http://127.0.0.1:9000/",
      SPOTIFY_API_URL: "http://127.0.0.1:9000/v1//",
      SPOTIFY_MAX_LIMIT: "50",
      SECRET_CACHE_TTL_SECONDS: "0",
      TOKEN_EXPIRY_MARGIN_SECONDS: "600",
      RETRY_MAX_ATTEMPTS: "10",
      RETRY_BASE_DELAY_MS: "0",
      RETRY_MAX_WAIT_SECONDS: "0",
      RETRY_DEFAULT_WAIT_SECONDS: "900",
      UPSTREAM_TIMEOUT_MS: "100",
      DEADLINE_MARGIN_MS: "60000",
      UPSTREAM_MAX_BODY_BYTES: "1024",
    });

    expect(config).toEqual({
      secretId: "arn:aws:secretsmanager:us-east-1:1:secret:x",
      accountsUrl: "http://127.0.0.1:9000",
      apiUrl: "http://127.0.0.1:9000/v1",
      maxLimit: 50,
      secretCacheTtlMs: 0,
      tokenExpiryMarginMs: 600_000,
      maxBodyBytes: 1024,
      retry: {
        maxAttempts: 10,
        baseDelayMs: 0,
        maxRetryAfterMs: 0,
        defaultRetryAfterMs: 900_000,
        attemptTimeoutMs: 100,
        deadlineMarginMs: 60_000,
      },
    });
  });

  it("treats empty and blank values as unset", () => {
    const config = loadSpotifyConfig({ ...BASE, SPOTIFY_MAX_LIMIT: "", SPOTIFY_API_URL: "  " });

    expect(config.maxLimit).toBe(10);
    expect(config.apiUrl).toBe("https://api.spotify.com/v1");
  });

  it("trims numbers", () => {
    expect(loadSpotifyConfig({ ...BASE, SPOTIFY_MAX_LIMIT: " 20 " }).maxLimit).toBe(20);
  });

  it.each([undefined, "", "   "])("requires SPOTIFY_SECRET_ID (%j)", (value) => {
    const error = configError(() => loadSpotifyConfig({ SPOTIFY_SECRET_ID: value }));

    expect(error.status).toBe(500);
    expect(error.message).toBe("Environment variable SPOTIFY_SECRET_ID is not set");
  });

  const integers: [string, number, number][] = [
    ["SPOTIFY_MAX_LIMIT", 1, 50],
    ["SECRET_CACHE_TTL_SECONDS", 0, 86_400],
    ["TOKEN_EXPIRY_MARGIN_SECONDS", 0, 600],
    ["RETRY_MAX_ATTEMPTS", 1, 10],
    ["RETRY_BASE_DELAY_MS", 0, 10_000],
    ["RETRY_MAX_WAIT_SECONDS", 0, 900],
    ["RETRY_DEFAULT_WAIT_SECONDS", 1, 900],
    ["UPSTREAM_TIMEOUT_MS", 100, 900_000],
    ["DEADLINE_MARGIN_MS", 0, 60_000],
    ["UPSTREAM_MAX_BODY_BYTES", 1024, 256 * 1024 * 1024],
  ];

  it.each(integers)("accepts %s at both ends of %d..%d", (name, min, max) => {
    expect(() => loadSpotifyConfig({ ...BASE, [name]: String(min) })).not.toThrow();
    expect(() => loadSpotifyConfig({ ...BASE, [name]: String(max) })).not.toThrow();
  });

  it.each(integers)("refuses a malformed %s, naming it and its range", (name, min, max) => {
    for (const bad of [
      String(min - 1),
      String(max + 1),
      "1.5",
      "1e3",
      "-0",
      "0x10",
      "ten",
      "99999999999999999999",
      `${LEAKY}`,
      `12${LEAKY}`,
    ]) {
      const error = configError(() => loadSpotifyConfig({ ...BASE, [name]: bad }));

      expect(error.message).toBe(
        `Environment variable ${name} must be an integer from ${min} to ${max}`,
      );
      if (bad.length > 2) expect(error.message).not.toContain(bad);
    }
  });

  it.each(["SPOTIFY_ACCOUNTS_URL", "SPOTIFY_API_URL"])(
    "refuses a malformed %s, naming it and never echoing the value",
    (name) => {
      for (const bad of [
        LEAKY,
        `/relative/${LEAKY}`,
        `ftp://${LEAKY}.example.com`,
        `file:///${LEAKY}`,
        `https//${LEAKY}`,
        `javascript:${LEAKY}`,
      ]) {
        const error = configError(() => loadSpotifyConfig({ ...BASE, [name]: bad }));

        expect(error.message).toBe(`Environment variable ${name} must be an absolute http(s) URL`);
        expect(error.message).not.toContain(LEAKY);
        expect(error.cause).toBeUndefined();
      }
    },
  );

  it("never echoes the secret id when another variable is malformed", () => {
    const error = configError(() =>
      loadSpotifyConfig({ SPOTIFY_SECRET_ID: LEAKY, SPOTIFY_MAX_LIMIT: LEAKY }),
    );

    expect(error.message).not.toContain(LEAKY);
  });

  it("lists every setting among the search function's environment variables", () => {
    for (const name of Object.keys(SPOTIFY_SETTINGS)) {
      expect(FUNCTION_ENVIRONMENT.search).toContain(name);
      expect(FUNCTION_ENVIRONMENT.scheduled).toContain(name);
    }
  });
});

describe("Spotify URLs: https, or plain http only for a loopback host", () => {
  it.each([
    "http://127.0.0.1:9000",
    "http://127.0.0.1",
    "http://127.255.3.4:1/v1",
    "http://127.1:9000",
    "http://localhost:9000",
    "http://LOCALHOST:9000",
    "http://[::1]:9000",
    "https://api.spotify.com/v1",
    "https://10.0.0.1/v1",
  ])("accepts %s", (url) => {
    const config = loadSpotifyConfig({ ...BASE, SPOTIFY_ACCOUNTS_URL: url, SPOTIFY_API_URL: url });

    expect(config.apiUrl).toBe(url);
    expect(config.accountsUrl).toBe(url);
  });

  it.each([
    "http://api.spotify.com/v1",
    "http://10.0.0.1:9000",
    "http://128.0.0.1",
    "http://localhost.evil.example",
    "http://127.0.0.1.evil.example",
    "http://[::2]:9000",
    "http://0.0.0.0:9000",
  ])("refuses %s with a 500 naming the variable, without echoing the value", (url) => {
    for (const name of ["SPOTIFY_ACCOUNTS_URL", "SPOTIFY_API_URL"]) {
      let error: unknown;
      try {
        loadSpotifyConfig({ ...BASE, [name]: url });
      } catch (caught) {
        error = caught;
      }

      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ status: 500 });
      expect((error as Error).message).toBe(
        `Environment variable ${name} must be an https URL (http only for a loopback host)`,
      );
      expect((error as Error).message).not.toContain(url);
    }
  });
});

describe("loadScheduledConfig", () => {
  it("applies the defaults", () => {
    expect(loadScheduledConfig({ SCHEDULED_QUERIES_PARAMETER: "/spotify/queries" })).toEqual({
      queriesParameter: "/spotify/queries",
      queriesCacheTtlMs: 300_000,
      resultsBucket: undefined,
      resultsPrefix: "spotify-search",
      concurrency: 4,
      maxRetryAfterMs: 60_000,
      requestsPerSecond: 5,
      maxRequests: 1000,
    });
  });

  it("requires SCHEDULED_QUERIES_PARAMETER", () => {
    expect(() => loadScheduledConfig({})).toThrow(
      "Environment variable SCHEDULED_QUERIES_PARAMETER is not set",
    );
  });

  it("strips slashes around the prefix and reads the bucket", () => {
    const config = loadScheduledConfig({
      SCHEDULED_QUERIES_PARAMETER: "/q",
      RESULTS_BUCKET: "my-bucket",
      RESULTS_PREFIX: "//runs/daily//",
    });

    expect(config).toMatchObject({ resultsBucket: "my-bucket", resultsPrefix: "runs/daily" });
  });

  it("refuses BATCH_CONCURRENCY outside 1..32 without echoing it", () => {
    const error = configError(() =>
      loadScheduledConfig({ SCHEDULED_QUERIES_PARAMETER: "/q", BATCH_CONCURRENCY: LEAKY }),
    );

    expect(error.message).toBe(
      "Environment variable BATCH_CONCURRENCY must be an integer from 1 to 32",
    );
  });
});

describe("the batch's pace and request cap", () => {
  const SCHEDULED = { SCHEDULED_QUERIES_PARAMETER: "/spotify/queries" };

  it("reads BATCH_REQUESTS_PER_SECOND and BATCH_MAX_REQUESTS", () => {
    expect(
      loadScheduledConfig({
        ...SCHEDULED,
        BATCH_REQUESTS_PER_SECOND: "2",
        BATCH_MAX_REQUESTS: "20",
      }),
    ).toMatchObject({ requestsPerSecond: 2, maxRequests: 20 });
  });

  it.each([
    ["BATCH_REQUESTS_PER_SECOND", "0", "an integer from 1 to 1000"],
    ["BATCH_REQUESTS_PER_SECOND", "1001", "an integer from 1 to 1000"],
    ["BATCH_MAX_REQUESTS", "0", "an integer from 1 to 100000"],
  ])("refuses %s=%s, naming it", (name, value, rule) => {
    expect(() => loadScheduledConfig({ ...SCHEDULED, [name]: value })).toThrow(
      `Environment variable ${name} must be ${rule}`,
    );
  });
});

describe("loadCacheConfig: how tier 2 stores", () => {
  it("defaults to Brotli and writing every miss (the fleet simulation's choice)", () => {
    expect(loadCacheConfig({})).toMatchObject({ compression: "brotli", writePolicy: "always" });
  });

  it("reads CACHE_COMPRESSION and CACHE_WRITE_POLICY, and refuses anything else by name", () => {
    const config = loadCacheConfig({
      CACHE_COMPRESSION: "zlib",
      CACHE_WRITE_POLICY: "second-miss",
    });
    expect(config).toMatchObject({ compression: "zlib", writePolicy: "second-miss" });
    expect(configError(() => loadCacheConfig({ CACHE_COMPRESSION: "gzip" })).message).toBe(
      "Environment variable CACHE_COMPRESSION must be one of zlib, brotli",
    );
  });
});

describe("loadApiConfig: PUBLIC_BASE_URL", () => {
  it("unset: links are built from each request's host", () => {
    expect(loadApiConfig({})).toEqual({ publicBaseUrl: undefined });
  });

  it("a custom domain, with or without a path mapping, its trailing slash dropped", () => {
    expect(loadApiConfig({ PUBLIC_BASE_URL: "https://music.example.com/v2/" })).toEqual({
      publicBaseUrl: "https://music.example.com/v2",
    });
  });

  it.each([
    "music.example.com",
    "http://music.example.com",
    "https://music.example.com/?a=1",
    "https://music.example.com/#top",
    "https://user:pw@music.example.com",
  ])("refuses %j with a message naming the variable", (value) => {
    expect(configError(() => loadApiConfig({ PUBLIC_BASE_URL: value })).message).toMatch(
      /^Environment variable PUBLIC_BASE_URL must be/,
    );
  });
});

describe("loadScheduledConfig: the fleet's record", () => {
  it("CACHE_TABLE_NAME names the table whose cooldown record the batch shares", () => {
    const config = loadScheduledConfig({
      SCHEDULED_QUERIES_PARAMETER: "/q",
      CACHE_TABLE_NAME: "t",
    });
    expect(config.cooldownTableName).toBe("t");
  });
});

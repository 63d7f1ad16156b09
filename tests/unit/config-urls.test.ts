import { describe, expect, it } from "vitest";
import { loadScheduledConfig, loadSpotifyConfig } from "../../lib/config.ts";
import { ConfigurationError } from "../../lib/errors.ts";

const BASE = { SPOTIFY_SECRET_ID: "spotify-search/credentials" };

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

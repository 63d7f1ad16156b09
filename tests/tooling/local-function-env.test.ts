import { describe, expect, it } from "vitest";
import { localFunctionEnvironment } from "../../infra/local/function-env.ts";
import { functionOf, loadTemplate } from "../../infra/template/template.ts";

/** template.yaml's SearchFunction as `npm start` runs it, on a stand-in local stack. */
const template = loadTemplate();
const search = functionOf(template, "SearchFunction");
const stack = {
  resources: {
    SpotifySecret: "local-secret",
    ScheduledQueriesParameter: "/local/queries",
    ResultsBucket: "local-bucket",
    CacheTable: "local-cache",
  },
  env: {
    AWS_ENDPOINT_URL: "http://127.0.0.1:5000",
    AWS_REGION: "us-east-1",
    SPOTIFY_API_URL: "http://127.0.0.1:6000/v1",
  },
};

describe("npm start's function environment", () => {
  it("is the template's, with the local stack's stand-ins, when the shell sets nothing", () => {
    const env = localFunctionEnvironment(template, search, stack, {});

    expect(env).toMatchObject({
      CACHE_TTL_SECONDS: "600",
      SPOTIFY_MAX_LIMIT: "10",
      CACHE_TABLE_NAME: "local-cache",
      SPOTIFY_API_URL: "http://127.0.0.1:6000/v1",
      AWS_ENDPOINT_URL: "http://127.0.0.1:5000",
      AWS_LAMBDA_FUNCTION_NAME: "SearchFunction",
    });
  });

  it("takes the shell's value of every variable the template sets", () => {
    const shell: Record<string, string> = {};
    for (const name of Object.keys(search.environment)) shell[name] = `from-shell-${name}`;

    const env = localFunctionEnvironment(template, search, stack, shell);

    for (const name of Object.keys(search.environment)) {
      expect(env[name], name).toBe(`from-shell-${name}`);
    }
    expect(Object.keys(search.environment)).toEqual(
      expect.arrayContaining(["CACHE_TTL_SECONDS", "SPOTIFY_MAX_LIMIT", "SPOTIFY_API_URL"]),
    );
  });

  it("keeps the local stack's own variables (the SDK's endpoint and region) over the shell's", () => {
    const env = localFunctionEnvironment(template, search, stack, {
      AWS_ENDPOINT_URL: "https://elsewhere.example",
      AWS_REGION: "eu-west-1",
      UNRELATED: "x",
    });

    expect(env.AWS_ENDPOINT_URL).toBe("http://127.0.0.1:5000");
    expect(env.AWS_REGION).toBe("us-east-1");
    expect(env.UNRELATED).toBeUndefined();
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { coldSearchHandler } from "../../support/container.ts";
import { httpApiEvent } from "../../support/events.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const search = () => httpApiEvent("q=Aphex%20Twin&type=track");
const errorOf = (result: { body: string }) => JSON.parse(result.body).error;

describe("redirects are never followed: a 3xx is an unexpected answer (502)", () => {
  it.each([301, 302, 303, 307, 308])(
    "search answered %i to another location → 502; the location is never asked",
    async (status) => {
      stack = await startTestStack();
      const handler = await coldSearchHandler(stack.env);
      const elsewhere = `${stack.emulator.url}/v1/search?q=elsewhere&type=artist`;
      stack.emulator.fault("search", { kind: "status", status, headers: { Location: elsewhere } });

      const result = await handler(search(), lambdaContext());

      expect(result.statusCode).toBe(502);
      expect(errorOf(result).message).toBe(`Spotify answered an unexpected ${status}`);
      const searches = stack.emulator.requests.filter((r) => r.endpoint === "search");
      expect(searches.map((r) => [r.query.q, r.status])).toEqual([["Aphex Twin", status]]);
    },
  );

  it("the token endpoint answered 302 → 502; the location is never asked, no search is sent", async () => {
    stack = await startTestStack();
    const handler = await coldSearchHandler(stack.env);
    stack.emulator.fault("token", {
      kind: "status",
      status: 302,
      headers: { Location: `${stack.emulator.url}/api/token?moved=1` },
    });

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(502);
    expect(stack.emulator.requests.map((r) => [r.endpoint, r.rawUrl, r.status])).toEqual([
      ["token", "/api/token", 302],
    ]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../lib/clock.ts";
import { Deadline } from "../../../lib/deadline.ts";
import { UpstreamError } from "../../../lib/errors.ts";
import { handlerWithClock } from "../../support/runtime.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function clientOnEmulator() {
  stack = await startTestStack();
  const { runtime } = handlerWithClock(stack, systemClock);
  const deadline = new Deadline(Date.now() + 20_000, systemClock);
  return { client: runtime.client, deadline, api: stack.emulator.apiUrl, base: stack.emulator.url };
}

describe("paging links: only the search path on the API origin is followed", () => {
  it("follows a next link to the API's own search path", async () => {
    const { client, deadline, api } = await clientOnEmulator();

    const page = await client.followLink(
      `${api}/search?query=love&type=track&offset=10&limit=10`,
      deadline,
    );

    expect(page.body).toMatchObject({ tracks: { offset: 10 } });
  });

  it.each([
    [
      "a path that only starts with the API path",
      (base: string) => `${base}/v1evil/search?q=x&type=track`,
    ],
    [
      "another endpoint under the API path",
      (base: string) => `${base}/v1/artists/0TnOYISbd1XYRBk9myaseg`,
    ],
    [
      "a search path with more after it",
      (base: string) => `${base}/v1/search/extra?q=x&type=track`,
    ],
    ["dot segments that leave the search path", (base: string) => `${base}/v1/search/../me`],
    ["the token endpoint", (base: string) => `${base}/api/token`],
    ["another origin", () => "https://evil.example/v1/search?q=x&type=track"],
    ["another port", (base: string) => `${base.replace(/:\d+$/, ":1")}/v1/search?q=x&type=track`],
    [
      "credentials in the URL",
      (base: string) => `${base.replace("//", "//user:pw@")}/v1/search?q=x&type=track`,
    ],
    ["not a URL", () => "/v1/search?q=x&type=track"],
  ])("refuses %s with a 502, sending nothing", async (_name, link) => {
    const { client, deadline, base } = await clientOnEmulator();

    const error = await (async () => client.followLink(link(base), deadline))().catch((e) => e);

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 502 });
    expect(stack?.emulator.requests).toEqual([]);
  });
});

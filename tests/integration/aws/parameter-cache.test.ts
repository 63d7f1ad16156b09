import { randomUUID } from "node:crypto";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type CountingProxy, startCountingProxy } from "../../../infra/local/aws-proxy.ts";
import { ParameterCache } from "../../../lib/aws/parameter-cache.ts";
import { ConfigurationError } from "../../../lib/errors.ts";
import { FakeClock } from "../../support/fake-clock.ts";

const GET_PARAMETER = "AmazonSSM.GetParameter";
const TTL_MS = 300_000;

let proxy: CountingProxy;
let ssm: SSMClient;
beforeAll(async () => {
  proxy = await startCountingProxy(inject("motoEndpoint"));
  ssm = new SSMClient({ endpoint: proxy.endpoint, region: "us-east-1" });
});
afterAll(async () => {
  ssm.destroy();
  await proxy.close();
});

/** A fresh parameter name, so each test has moto's parameter store to itself. */
const freshName = () => `/spotify/test-${randomUUID()}/queries`;

async function put(name: string, value: string, type: "String" | "SecureString" = "String") {
  await ssm.send(
    new PutParameterCommand({ Name: name, Value: value, Type: type, Overwrite: true }),
  );
}

/** A cache on moto with its own fake clock; `reads()` counts its GetParameter calls on the wire. */
function cacheOnMoto(ttlMs = TTL_MS) {
  const clock = new FakeClock();
  const before = proxy.count(GET_PARAMETER);
  return {
    cache: new ParameterCache(ssm, clock, ttlMs),
    clock,
    reads: () => proxy.count(GET_PARAMETER) - before,
  };
}

describe("ParameterCache on SSM (moto)", () => {
  it("reads a String parameter's value", async () => {
    const name = freshName();
    await put(name, '[{"q":"a","type":"track"}]');
    const { cache } = cacheOnMoto();

    await expect(cache.read(name)).resolves.toBe('[{"q":"a","type":"track"}]');
  });

  it("reads a SecureString decrypted", async () => {
    const name = freshName();
    await put(name, '[{"q":"secret list"}]', "SecureString");
    const { cache } = cacheOnMoto();

    await expect(cache.read(name)).resolves.toBe('[{"q":"secret list"}]');
  });

  it("keeps the value for its TTL: reads within it do not call SSM", async () => {
    const name = freshName();
    await put(name, "first");
    const { cache, clock, reads } = cacheOnMoto();
    await cache.read(name);

    await put(name, "second");
    clock.advance(TTL_MS - 1);

    await expect(cache.read(name)).resolves.toBe("first");
    expect(reads()).toBe(1);
  });

  it("reads SSM again once the TTL has passed, and sees the new value", async () => {
    const name = freshName();
    await put(name, "first");
    const { cache, clock, reads } = cacheOnMoto();
    await cache.read(name);
    await put(name, "second");

    clock.advance(TTL_MS);

    await expect(cache.read(name)).resolves.toBe("second");
    expect(reads()).toBe(2);
  });

  it("with a TTL of 0 reads SSM every time", async () => {
    const name = freshName();
    await put(name, "value");
    const { cache, reads } = cacheOnMoto(0);

    await cache.read(name);
    await cache.read(name);

    expect(reads()).toBe(2);
  });

  it("reads another name from SSM, even within the TTL", async () => {
    const first = freshName();
    const second = freshName();
    await put(first, "one");
    await put(second, "two");
    const { cache, reads } = cacheOnMoto();
    await cache.read(first);

    await expect(cache.read(second)).resolves.toBe("two");
    expect(reads()).toBe(2);
  });

  it("a missing parameter is a 500 naming it and the variable that points to it", async () => {
    const name = freshName();
    const { cache } = cacheOnMoto();

    const error = await cache.read(name).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({
      status: 500,
      message: `SSM parameter ${name} (SCHEDULED_QUERIES_PARAMETER) does not exist`,
    });
  });

  it("a failed read is not kept: the next read finds a parameter created since", async () => {
    const name = freshName();
    const { cache, reads } = cacheOnMoto();
    await expect(cache.read(name)).rejects.toThrow(ConfigurationError);

    await put(name, "created later");

    await expect(cache.read(name)).resolves.toBe("created later");
    expect(reads()).toBe(2);
  });

  it("an aborted read rejects without calling SSM, and keeps nothing", async () => {
    const name = freshName();
    await put(name, "value");
    const { cache, reads } = cacheOnMoto();

    await expect(cache.read(name, AbortSignal.abort())).rejects.toMatchObject({
      name: "AbortError",
    });

    expect(reads()).toBe(0);
    await expect(cache.read(name)).resolves.toBe("value");
  });
});

import { randomUUID } from "node:crypto";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  type CountingProxy,
  GET_SECRET_VALUE,
  startCountingProxy,
} from "../../../infra/local/aws-proxy.ts";
import { secretReader } from "../../../lib/aws/secret-reader.ts";
import { ConfigurationError } from "../../../lib/errors.ts";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from "../../support/leak-scan.ts";

let proxy: CountingProxy;
let secrets: SecretsManagerClient;
beforeAll(async () => {
  proxy = await startCountingProxy(inject("motoEndpoint"));
  secrets = new SecretsManagerClient({ endpoint: proxy.endpoint, region: "us-east-1" });
});
afterAll(async () => {
  secrets.destroy();
  await proxy.close();
});

const freshId = () => `spotify-search/reader-${randomUUID()}`;
const CREDENTIALS = JSON.stringify({
  client_id: TEST_CLIENT_ID,
  client_secret: TEST_CLIENT_SECRET,
});

/** What the read rejected with. */
async function failure(secretId: string): Promise<unknown> {
  return secretReader(secrets)(secretId).then(
    () => {
      throw new Error(`expected the read of ${secretId} to fail`);
    },
    (error: unknown) => error,
  );
}

describe("secretReader on Secrets Manager (moto)", () => {
  it("reads the secret's SecretString", async () => {
    const secretId = freshId();
    await secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: CREDENTIALS }));

    await expect(secretReader(secrets)(secretId)).resolves.toBe(CREDENTIALS);
  });

  it("reads it again on every call (keeping it is CredentialsProvider's job)", async () => {
    const secretId = freshId();
    await secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: CREDENTIALS }));
    const read = secretReader(secrets);
    const before = proxy.count(GET_SECRET_VALUE);

    await read(secretId);
    await read(secretId);

    expect(proxy.count(GET_SECRET_VALUE) - before).toBe(2);
  });

  it("a missing secret is a 500 naming SPOTIFY_SECRET_ID, never the secret's name", async () => {
    const secretId = freshId();

    const error = await failure(secretId);

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({
      status: 500,
      message: "The secret named by SPOTIFY_SECRET_ID does not exist",
    });
    expect((error as Error).message).not.toContain(secretId);
  });

  it("a secret marked for deletion is a 500 that says it cannot be read", async () => {
    const secretId = freshId();
    await secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: CREDENTIALS }));
    await secrets.send(new DeleteSecretCommand({ SecretId: secretId, RecoveryWindowInDays: 7 }));

    const error = await failure(secretId);

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      "The secret named by SPOTIFY_SECRET_ID cannot be read (deleted or not yet set?)",
    );
  });

  it("a binary secret is a 500 that says it has no SecretString, without its bytes", async () => {
    const secretId = freshId();
    await secrets.send(
      new CreateSecretCommand({ Name: secretId, SecretBinary: Buffer.from(CREDENTIALS) }),
    );

    const error = await failure(secretId);

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      "The secret named by SPOTIFY_SECRET_ID has no SecretString",
    );
    expect(JSON.stringify(error)).not.toContain(TEST_CLIENT_SECRET);
  });

  it("an aborted read rejects without calling Secrets Manager", async () => {
    const secretId = freshId();
    await secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: CREDENTIALS }));
    const before = proxy.count(GET_SECRET_VALUE);

    await expect(secretReader(secrets)(secretId, AbortSignal.abort())).rejects.toMatchObject({
      name: "AbortError",
    });

    expect(proxy.count(GET_SECRET_VALUE) - before).toBe(0);
  });
});

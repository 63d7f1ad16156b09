import { randomUUID } from "node:crypto";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { inject } from "vitest";
import { type CountingProxy, startCountingProxy } from "../../infra/local/aws-proxy.ts";
import { startEmulator } from "../../infra/local/emulator/server.ts";
import type { Emulator, EmulatorOptions } from "../../infra/local/emulator/types.ts";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from "./leak-scan.ts";

export interface TestStack {
  emulator: Emulator;
  /** Counts AWS calls on the wire; the function under test talks to moto through it. */
  aws: CountingProxy;
  motoEndpoint: string;
  secretId: string;
  /** The environment a deployed function would have, pointed at the emulator and the proxy. */
  env: Record<string, string>;
  putSecret(value: string): Promise<void>;
  close(): Promise<void>;
}

export function adminSecrets(endpoint = inject("motoEndpoint")): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint, region: "us-east-1" });
}

/** Emulator + counting proxy in front of the suite's moto + a fresh secret with test credentials. */
export async function startTestStack(
  options: {
    emulator?: EmulatorOptions;
    env?: Record<string, string>;
    secret?: string | null;
  } = {},
): Promise<TestStack> {
  const motoEndpoint = inject("motoEndpoint");
  const emulator = await startEmulator({
    clientId: TEST_CLIENT_ID,
    clientSecret: TEST_CLIENT_SECRET,
    ...options.emulator,
  });
  const aws = await startCountingProxy(motoEndpoint);
  const secretId = `spotify-search/test-${randomUUID()}`;
  const secrets = adminSecrets(motoEndpoint);
  if (options.secret !== null) {
    const value =
      options.secret ??
      JSON.stringify({ client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET });
    await secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: value }));
  }
  const env = {
    AWS_ENDPOINT_URL: aws.endpoint,
    SPOTIFY_SECRET_ID: secretId,
    SPOTIFY_ACCOUNTS_URL: emulator.accountsUrl,
    SPOTIFY_API_URL: emulator.apiUrl,
    // The status-code rules are about what reaches Spotify: caching is off unless a test turns it on.
    CACHE_TTL_SECONDS: "0",
    ...options.env,
  };
  return {
    emulator,
    aws,
    motoEndpoint,
    secretId,
    env,
    putSecret: async (value) => {
      await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    },
    close: async () => {
      await emulator.close();
      await aws.close();
      secrets.destroy();
    },
  };
}

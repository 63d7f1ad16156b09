import { readFileSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { createCacheTable } from "./cache-table.ts";
import { startEmulator } from "./emulator/server.ts";
import type { Emulator } from "./emulator/types.ts";
import { startMoto } from "./moto.ts";

export const LOCAL_SECRET_ID = "spotify-search/local";
export const LOCAL_QUERIES_PARAMETER = "/spotify-search/local/queries";
export const LOCAL_BUCKET = "spotify-search-local-results";
export const LOCAL_CACHE_TABLE = "spotify-search-local-cache";
export const LOCAL_CLIENT = { clientId: "local-client-id", clientSecret: "local-client-secret" };
const REGION = "us-east-1";

export interface LocalStack {
  /** What the template's resources are locally, for `functionEnvironment`'s `resources`. */
  resources: Record<string, string>;
  /** Set over the template's variables: the SDK's endpoint and credentials, the Spotify URLs. */
  env: Record<string, string>;
  /** moto's endpoint, and its PID and exit when this stack started it. */
  moto: { endpoint: string; pid: number | undefined; exited: Promise<void> | undefined };
  /** Absent when real Spotify credentials were given. */
  emulator: Emulator | undefined;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Real Spotify credentials: seeded into the secret, and the real Spotify URLs used. */
  realCredentials?: { clientId: string; clientSecret: string };
  emulatorPort?: number;
  /** Seed the scheduled queries from this JSON file (default infra/local/queries.json). */
  queriesFile?: string;
  /** Seed this running moto instead of starting one (it is then left running). */
  motoEndpoint?: string;
}

/** Real Spotify credentials from SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET, when both are set. */
export function realCredentialsFromEnv(): LocalStackOptions["realCredentials"] {
  const clientId = process.env.SPOTIFY_CLIENT_ID?.trim();
  const clientSecret = process.env.SPOTIFY_CLIENT_SECRET?.trim();
  return clientId && clientSecret ? { clientId, clientSecret } : undefined;
}

/**
 * moto (Secrets Manager, SSM, S3, DynamoDB) seeded with the secret, the scheduled queries, the
 * results bucket and the cache table, plus the Spotify emulator. `stop()` ends both, moto by its
 * PID (unless it was given).
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  // Node 20 still runs this project; the SDK's notice about its future minimum is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const started = options.motoEndpoint === undefined ? await startMoto() : undefined;
  const moto = {
    endpoint: options.motoEndpoint ?? started?.endpoint ?? "",
    pid: started?.pid,
    exited: started?.exited,
  };
  let emulator: Emulator | undefined;
  try {
    const client = options.realCredentials ?? LOCAL_CLIENT;
    await seed(
      moto.endpoint,
      client,
      options.queriesFile ?? new URL("./queries.json", import.meta.url),
    );
    if (!options.realCredentials) {
      emulator = await startEmulator({ port: options.emulatorPort ?? 0, ...LOCAL_CLIENT });
    }
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...(emulator
        ? { SPOTIFY_ACCOUNTS_URL: emulator.accountsUrl, SPOTIFY_API_URL: emulator.apiUrl }
        : {}),
    };
    return {
      resources: {
        SpotifySecret: LOCAL_SECRET_ID,
        ScheduledQueriesParameter: LOCAL_QUERIES_PARAMETER,
        ResultsBucket: LOCAL_BUCKET,
        CacheTable: LOCAL_CACHE_TABLE,
      },
      env,
      moto,
      emulator,
      stop: async () => {
        await emulator?.close();
        await started?.stop();
      },
    };
  } catch (error) {
    await emulator?.close();
    await started?.stop();
    throw error;
  }
}

async function seed(
  endpoint: string,
  client: { clientId: string; clientSecret: string },
  queriesFile: string | URL,
) {
  const config = {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  };
  const secrets = new SecretsManagerClient(config);
  const ssm = new SSMClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const dynamo = new DynamoDBClient(config);
  try {
    const secret = JSON.stringify({
      client_id: client.clientId,
      client_secret: client.clientSecret,
    });
    // A moto that was given may hold the secret from an earlier run: then it gets the new value.
    await secrets
      .send(new CreateSecretCommand({ Name: LOCAL_SECRET_ID, SecretString: secret }))
      .catch(async (error: Error) => {
        if (error.name !== "ResourceExistsException") throw error;
        await secrets.send(
          new PutSecretValueCommand({ SecretId: LOCAL_SECRET_ID, SecretString: secret }),
        );
      });
    await ssm.send(
      new PutParameterCommand({
        Name: LOCAL_QUERIES_PARAMETER,
        Type: "String",
        Value: readFileSync(queriesFile, "utf8"),
        Overwrite: true,
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: LOCAL_BUCKET })).catch((error: Error) => {
      if (error.name !== "BucketAlreadyOwnedByYou") throw error;
    });
    await createCacheTable(dynamo, LOCAL_CACHE_TABLE).catch((error: Error) => {
      if (error.name !== "ResourceInUseException") throw error;
    });
  } finally {
    dynamo.destroy();
    secrets.destroy();
    ssm.destroy();
    s3.destroy();
  }
}

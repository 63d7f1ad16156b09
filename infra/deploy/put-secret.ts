/**
 * Puts the real Spotify client credentials into the deployed secret (the stack creates it with
 * placeholder values). The secret is never printed.
 *
 *   SPOTIFY_CLIENT_ID=... SPOTIFY_CLIENT_SECRET=... npx tsx infra/deploy/put-secret.ts --secret-id <SecretArn>
 *   npx tsx infra/deploy/put-secret.ts --secret-id <SecretArn>      # prompts; the secret is not echoed
 *
 * Options: --secret-id (or env SPOTIFY_SECRET_ID), --region (or AWS_REGION / the profile's region).
 * Credentials for AWS come from the usual chain (AWS_PROFILE, environment, SSO, ...).
 */
import { createInterface } from "node:readline/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

export interface SpotifyCredentials {
  client_id: string;
  client_secret: string;
}

/** Validates the two values and returns the SecretString the functions expect. */
export function secretString(
  clientId: string | undefined,
  clientSecret: string | undefined,
): string {
  const id = clientId?.trim() ?? "";
  const secret = clientSecret?.trim() ?? "";
  if (id === "") throw new Error("The Spotify client id is empty");
  if (secret === "") throw new Error("The Spotify client secret is empty");
  if (/\s/.test(id) || /\s/.test(secret)) {
    throw new Error("The Spotify client id and secret must not contain white space");
  }
  if (id === secret) throw new Error("The client id and the client secret are the same value");
  const credentials: SpotifyCredentials = { client_id: id, client_secret: secret };
  return JSON.stringify(credentials);
}

async function promptVisible(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") {
          finish();
          resolve(value);
          return;
        }
        if (ch === "\u0003") {
          finish();
          reject(new Error("Cancelled"));
          return;
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "secret-id": { type: "string" },
      region: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.error(
      "Usage: npx tsx infra/deploy/put-secret.ts --secret-id <arn-or-name> [--region <region>]\n" +
        "Reads SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET from the environment, or prompts for them.",
    );
    return;
  }
  const secretId = values["secret-id"] ?? process.env.SPOTIFY_SECRET_ID;
  if (!secretId) throw new Error("Pass --secret-id (the stack's SecretArn output)");

  const interactive = process.stdin.isTTY === true;
  let clientId = process.env.SPOTIFY_CLIENT_ID;
  let clientSecret = process.env.SPOTIFY_CLIENT_SECRET;
  if (!clientId?.trim()) {
    if (!interactive) throw new Error("SPOTIFY_CLIENT_ID is not set and stdin is not a terminal");
    clientId = await promptVisible("Spotify client id: ");
  }
  if (!clientSecret?.trim()) {
    if (!interactive)
      throw new Error("SPOTIFY_CLIENT_SECRET is not set and stdin is not a terminal");
    clientSecret = await promptHidden("Spotify client secret (not shown): ");
  }
  const payload = secretString(clientId, clientSecret);

  const client = new SecretsManagerClient(values.region ? { region: values.region } : {});
  const result = await client.send(
    new PutSecretValueCommand({ SecretId: secretId, SecretString: payload }),
  );
  console.log(`Stored a new version (${result.VersionId}) of ${result.ARN ?? secretId}.`);
  console.log(
    "Running functions pick it up when their cached copy expires (SECRET_CACHE_TTL_SECONDS, 300 s by default).",
  );
}

const invokedPath = process.argv[1];
if (invokedPath && import.meta.url === pathToFileURL(invokedPath).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    // Only the message: an SDK error never contains the SecretString, but keep output minimal anyway.
    console.error(`put-secret: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}

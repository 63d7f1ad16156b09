/**
 * The cold-start floor of SearchFunction: the least any implementation of GET /search must do on
 * its first invocation. It imports only the Secrets Manager client, reads the secret once, fetches
 * one token and one search page with plain fetch, and returns the page. No validation, no retries,
 * no logging, no metrics. The bench builds it with SearchFunction's own esbuild settings.
 *
 * BENCH_SEARCH_URL is the URL the function itself requested for the same event, so both fetch the
 * same page.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

const secrets = new SecretsManagerClient({});

export async function handler(): Promise<{ statusCode: number; body: string }> {
  const secret = await secrets.send(
    new GetSecretValueCommand({ SecretId: process.env.SPOTIFY_SECRET_ID }),
  );
  const { client_id, client_secret } = JSON.parse(secret.SecretString ?? "{}") as {
    client_id: string;
    client_secret: string;
  };
  const tokenAnswer = await fetch(`${process.env.SPOTIFY_ACCOUNTS_URL}/api/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  const { access_token } = (await tokenAnswer.json()) as { access_token: string };
  const page = await fetch(String(process.env.BENCH_SEARCH_URL), {
    headers: { authorization: `Bearer ${access_token}`, accept: "application/json" },
  });
  return { statusCode: page.status, body: await page.text() };
}

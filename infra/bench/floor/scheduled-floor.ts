/**
 * The cold-start floor of ScheduledFunction: the least a scheduled collection must do on its first
 * invocation. It imports only the three SDK clients it needs, reads the secret and the queries
 * parameter (at the same time), fetches one token, runs the searches with plain fetch (4 at a time,
 * following `next` links for `pages`), and writes one NDJSON object to S3. No validation, no
 * retries, no logging, no metrics. The bench builds it with ScheduledFunction's esbuild settings.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

const secrets = new SecretsManagerClient({});
const ssm = new SSMClient({});
const s3 = new S3Client({ forcePathStyle: true });

interface Query {
  q: string;
  type: string;
  market?: string;
  limit?: number;
  pages?: number;
}

export async function handler(): Promise<{ pages: number }> {
  const [secret, parameter] = await Promise.all([
    secrets.send(new GetSecretValueCommand({ SecretId: process.env.SPOTIFY_SECRET_ID })),
    ssm.send(new GetParameterCommand({ Name: process.env.SCHEDULED_QUERIES_PARAMETER })),
  ]);
  const { client_id, client_secret } = JSON.parse(secret.SecretString ?? "{}") as {
    client_id: string;
    client_secret: string;
  };
  const queries = JSON.parse(parameter.Parameter?.Value ?? "[]") as Query[];
  const tokenAnswer = await fetch(`${process.env.SPOTIFY_ACCOUNTS_URL}/api/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  const { access_token } = (await tokenAnswer.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${access_token}`, accept: "application/json" };
  const api = process.env.SPOTIFY_API_URL;
  const lines: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let query = queries[next++]; query !== undefined; query = queries[next++]) {
      const search = new URLSearchParams({ q: query.q, type: query.type });
      if (query.market) search.set("market", query.market);
      search.set("limit", String(query.limit ?? 10));
      let url: string | null = `${api}/search?${search}`;
      for (let page = 1; url && page <= (query.pages ?? 1); page++) {
        const body = (await (await fetch(url, { headers })).json()) as Record<
          string,
          { next?: string | null }
        >;
        lines.push(JSON.stringify({ query, page, body }));
        url = Object.values(body).find((paging) => paging?.next)?.next ?? null;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queries.length) }, worker));
  await s3.send(
    new PutObjectCommand({
      Bucket: process.env.RESULTS_BUCKET,
      Key: `bench-floor/${Date.now()}.ndjson`,
      Body: lines.join("\n"),
      ContentType: "application/x-ndjson",
    }),
  );
  return { pages: lines.length };
}

import type { Clock } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import { UpstreamError } from "../errors.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { asRecord } from "../records.ts";
import type { ClientCredentials, CredentialsProvider } from "./credentials-provider.ts";
import { passThroughError } from "./policy.ts";
import type { SpotifyCaller } from "./spotify-caller.ts";

export interface TokenProviderDeps {
  caller: SpotifyCaller;
  credentials: CredentialsProvider;
  accountsUrl: string;
  clock: Clock;
  /** Refresh this long before Spotify's `expires_in` runs out. */
  expiryMarginMs: number;
  log: Log;
  metrics: MetricsSink;
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

/**
 * The Client Credentials access token, kept in module scope across warm invocations. All callers
 * in a container share one token and, while it is being fetched, one request for it.
 */
export class TokenProvider {
  private cached: CachedToken | undefined;
  private inFlight: Promise<CachedToken> | undefined;

  constructor(private readonly deps: TokenProviderDeps) {}

  async get(deadline: Deadline): Promise<string> {
    if (this.cached && this.deps.clock.now() < this.cached.refreshAt) return this.cached.value;
    this.inFlight ??= this.fetchToken(deadline).finally(() => {
      this.inFlight = undefined;
    });
    return (await this.inFlight).value;
  }

  /** Forgets `token` after Spotify refused it; a newer token fetched meanwhile is kept. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async fetchToken(deadline: Deadline): Promise<CachedToken> {
    const { credentials, log, metrics } = this.deps;
    let reread = false;
    let client = await credentials.get(deadline.signal());
    for (;;) {
      const answer = await this.request(client, deadline);
      if (answer.status === 200) {
        const token = this.accept(answer.body);
        metrics.count("TokenRefreshes");
        log.info("Fetched a Spotify access token", {
          expiresInSeconds: Math.round(
            (token.refreshAt - this.deps.clock.now() + this.deps.expiryMarginMs) / 1000,
          ),
          secretReread: reread,
        });
        this.cached = token;
        return token;
      }
      // invalid_client: the secret was probably rotated; read it again, once per refresh.
      if (answer.status === 400 && oauthError(answer.body) === "invalid_client" && !reread) {
        reread = true;
        log.warn("Spotify rejected the client credentials; reading the secret again");
        client = await credentials.refresh(deadline.signal());
        continue;
      }
      if (answer.status === 400 && oauthError(answer.body) === "invalid_client") {
        throw new UpstreamError(
          502,
          "Spotify rejected the client credentials in the secret named by SPOTIFY_SECRET_ID (invalid_client)",
          { upstreamStatus: answer.status, ownFailure: "credentials-rejected" },
        );
      }
      const error = passThroughError(answer.status, answer.body);
      throw new UpstreamError(
        502,
        `Spotify's token endpoint answered ${answer.status}: ${error.message}`,
        // A 4xx refuses what we sent (our credentials); anything else is Spotify's own trouble.
        {
          upstreamStatus: answer.status,
          ownFailure: answer.status < 500 ? "credentials-rejected" : undefined,
        },
      );
    }
  }

  private request(client: ClientCredentials, deadline: Deadline) {
    const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64");
    return this.deps.caller.call({
      endpoint: "token",
      deadline,
      build: async () => ({
        url: `${this.deps.accountsUrl}/api/token`,
        method: "POST",
        headers: {
          authorization: `Basic ${basic}`,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: "grant_type=client_credentials",
      }),
    });
  }

  private accept(body: unknown): CachedToken {
    const record = asRecord(body);
    const value = record.access_token;
    const type = record.token_type;
    const expiresIn = record.expires_in;
    if (
      typeof value !== "string" ||
      value === "" ||
      typeof type !== "string" ||
      type.toLowerCase() !== "bearer" ||
      typeof expiresIn !== "number" ||
      !(expiresIn > 0)
    ) {
      throw new UpstreamError(502, "Spotify's token endpoint answered with an unexpected body");
    }
    const lifetimeMs = expiresIn * 1000;
    // A margin larger than a short lifetime would refresh on every call: keep at least half of it.
    const marginMs = Math.min(this.deps.expiryMarginMs, lifetimeMs / 2);
    return { value, refreshAt: this.deps.clock.now() + lifetimeMs - marginMs };
  }
}

function oauthError(body: unknown): string | undefined {
  const value = asRecord(body).error;
  return typeof value === "string" ? value : undefined;
}

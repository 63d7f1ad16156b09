import { randomBytes } from "node:crypto";
import { jsonReply, oauthError, TOKEN_CONTENT_TYPE } from "./replies.ts";
import type { EmulatorConfig, IncomingCall, Reply } from "./types.ts";

export type TokenState = "valid" | "expired" | "invalid";

/** Issued access tokens and their expiry (epoch ms). */
export class TokenStore {
  readonly #expiries = new Map<string, number>();

  mint(lifetimeSeconds: number, now: number): string {
    for (const [token, expiresAt] of this.#expiries) {
      if (expiresAt <= now) this.#expiries.delete(token);
    }
    const token = `BQ${randomBytes(48).toString("base64url")}`;
    this.#expiries.set(token, now + lifetimeSeconds * 1000);
    return token;
  }

  check(token: string, now: number): TokenState {
    const expiresAt = this.#expiries.get(token);
    if (expiresAt === undefined) return "invalid";
    return now < expiresAt ? "valid" : "expired";
  }

  revoke(token: string): void {
    this.#expiries.delete(token);
  }

  revokeAll(): void {
    this.#expiries.clear();
  }
}

interface Credentials {
  id: string | undefined;
  secret: string | undefined;
  malformed: boolean;
}

function readCredentials(call: IncomingCall, form: URLSearchParams): Credentials {
  const header = call.headers.authorization;
  if (header === undefined) {
    return {
      id: form.get("client_id") ?? undefined,
      secret: form.get("client_secret") ?? undefined,
      malformed: false,
    };
  }
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  const decoded = match?.[1] === undefined ? "" : Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) return { id: undefined, secret: undefined, malformed: true };
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1), malformed: false };
}

function isForm(call: IncomingCall): boolean {
  return (call.headers["content-type"] ?? "")
    .toLowerCase()
    .includes("application/x-www-form-urlencoded");
}

/** Client Credentials flow: client authentication first, then the grant type. */
export function handleToken(
  call: IncomingCall,
  config: EmulatorConfig,
  store: TokenStore,
  now: number,
): Reply {
  const form = isForm(call) ? new URLSearchParams(call.body) : new URLSearchParams();
  const credentials = readCredentials(call, form);
  if (credentials.malformed || credentials.id !== config.clientId) {
    return oauthError(400, "invalid_client", "Invalid client");
  }
  if (credentials.secret !== config.clientSecret) {
    return oauthError(400, "invalid_client", "Invalid client secret");
  }
  const grantType = form.get("grant_type");
  if (grantType === null || grantType === "") {
    return oauthError(400, "unsupported_grant_type", "grant_type parameter is missing");
  }
  if (grantType !== "client_credentials") {
    return oauthError(
      400,
      "unsupported_grant_type",
      "grant_type must be client_credentials, authorization_code or refresh_token",
    );
  }
  const token = store.mint(config.tokenLifetimeSeconds, now);
  const body = {
    access_token: token,
    token_type: "Bearer",
    expires_in: config.tokenLifetimeSeconds,
  };
  return jsonReply(200, body, {}, TOKEN_CONTENT_TYPE);
}

import type { Emulator } from "../../../infra/local/emulator/server.ts";
import { FakeClock } from "../../support/fake-clock.ts";

export const CLIENT_ID = "local-client-id";
export const CLIENT_SECRET = "local-client-secret";

export function basic(id = CLIENT_ID, secret = CLIENT_SECRET): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
}

export interface TokenCall {
  authorization?: string;
  body?: string;
  contentType?: string;
}

export function requestToken(emulator: Emulator, call: TokenCall = {}): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": call.contentType ?? "application/x-www-form-urlencoded",
  };
  const authorization = call.authorization === undefined ? basic() : call.authorization;
  if (authorization !== "") headers.authorization = authorization;
  return fetch(`${emulator.accountsUrl}/api/token`, {
    method: "POST",
    headers,
    body: call.body ?? "grant_type=client_credentials",
  });
}

export async function token(emulator: Emulator): Promise<string> {
  const response = await requestToken(emulator);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

export function search(
  emulator: Emulator,
  query: string,
  accessToken: string | null,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (accessToken !== null) headers.set("authorization", `Bearer ${accessToken}`);
  return fetch(`${emulator.apiUrl}/search?${query}`, { ...init, headers });
}

export function admin(emulator: Emulator, path: string, body?: unknown): Promise<Response> {
  return fetch(`${emulator.adminUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

export interface ApiError {
  error: { status: number; message: string; reason?: string };
}

export interface Paging {
  href: string;
  items: (Record<string, unknown> | null)[];
  limit: number;
  next: string | null;
  offset: number;
  previous: string | null;
  total: number;
}

/** The suite's one fake clock (tests/support/fake-clock.ts), for `options.now`. */
export const fakeClock = (start = Date.UTC(2026, 10, 1)) => new FakeClock(start);

export interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export interface OAuthError {
  error: string;
  error_description: string;
}

/** Response body as JSON of a type the test expects. */
export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

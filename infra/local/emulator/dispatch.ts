import { faultAction, quotaReply, rateLimitReply } from "./faults.ts";
import { methodNotAllowed, notFound, oauthError } from "./replies.ts";
import { authenticate, searchReply, unauthorized } from "./search.ts";
import type { EmulatorState } from "./state.ts";
import { handleToken } from "./token.ts";
import type { Action, FaultEndpoint, IncomingCall, RecordedRequest, Reply } from "./types.ts";

export const TOKEN_PATH = "/api/token";
export const SEARCH_PATH = "/v1/search";

export function endpointOf(path: string): RecordedRequest["endpoint"] {
  if (path === TOKEN_PATH) return "token";
  if (path === SEARCH_PATH) return "search";
  return "other";
}

const reply = (r: Reply): Action => ({ type: "reply", reply: r });

function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)/i.exec(authorization?.trim() ?? "")?.[1];
}

function scriptedFault(
  state: EmulatorState,
  endpoint: FaultEndpoint,
  call: IncomingCall,
  record: RecordedRequest,
): Action | undefined {
  const fault = state.faults.take(endpoint);
  if (fault === undefined) return undefined;
  const action = faultAction(endpoint, fault);
  if (action.type !== "unauthorized") return action;
  if (endpoint === "token") return reply(oauthError(400, "invalid_client", "Invalid client"));
  const token = bearerToken(call.headers.authorization);
  if (token !== undefined) {
    record.tokenUsed = token;
    state.tokens.revoke(token);
  }
  return reply(unauthorized("invalid", state.config));
}

function search(state: EmulatorState, call: IncomingCall, record: RecordedRequest, apiUrl: string) {
  const now = state.now();
  const auth = authenticate(call.headers.authorization, state.config, (token) =>
    state.tokens.check(token, now),
  );
  if (auth.token !== undefined) record.tokenUsed = auth.token;
  if (!auth.ok) return reply(auth.reply);
  const quotaWait = state.quota?.check(now) ?? null;
  if (quotaWait !== null) return reply(quotaReply(quotaWait));
  const wait = state.rateWindow?.admit(now) ?? null;
  if (wait !== null) return reply(rateLimitReply(String(wait)));
  return reply(searchReply(call.url.searchParams, state.config, apiUrl));
}

/**
 * What to do with one recorded request. Order: method, scripted fault (unless `skipFaults`,
 * used after a delay fault), authentication, daily quota and rate window (search only), parameters.
 */
export function dispatch(
  state: EmulatorState,
  call: IncomingCall,
  record: RecordedRequest,
  apiUrl: string,
  skipFaults = false,
): Action {
  const endpoint = record.endpoint;
  if (endpoint === "other") return reply(notFound());
  const method = endpoint === "token" ? "POST" : "GET";
  if (call.method !== method) return reply(methodNotAllowed(method));
  const fault = skipFaults ? undefined : scriptedFault(state, endpoint, call, record);
  if (fault !== undefined) return fault;
  if (endpoint === "search") return search(state, call, record, apiUrl);
  return reply(handleToken(call, state.config, state.tokens, state.now()));
}

import type { AttemptResult } from "../../lib/spotify/http-transport.ts";

/** What a scripted transport answers for one attempt: Spotify's status, JSON body and headers. */
export function spotifyAnswer(
  status: number,
  body: unknown = {},
  headers: Record<string, string> = {},
): AttemptResult {
  return { kind: "response", status, headers: new Headers(headers), text: JSON.stringify(body) };
}

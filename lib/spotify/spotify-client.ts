import type { Deadline } from "../deadline.ts";
import { UpstreamError } from "../errors.ts";
import { encodeQueryValue, type SearchParams } from "../search/search-params.ts";
import { passThroughError } from "./policy.ts";
import type { Pacer, SpotifyCaller } from "./spotify-caller.ts";
import type { TokenProvider } from "./token-provider.ts";

export interface SpotifyPage {
  body: unknown;
  text: string;
}

/** How one search is sent. */
export interface SearchOptions {
  /** The batch's pacer: spaces and counts every attempt. */
  pacer?: Pacer;
  /** Longest rate-limit wait (0 for a caller with a stale answer in hand). */
  maxRetryAfterMs?: number;
}

export interface SpotifyClientDeps {
  caller: SpotifyCaller;
  tokens: TokenProvider;
  apiUrl: string;
}

/** Spotify's Web API search, authenticated with the shared Client Credentials token. */
export class SpotifyClient {
  constructor(private readonly deps: SpotifyClientDeps) {}

  /** Runs a search; `text` is Spotify's body unchanged, `body` the same parsed. */
  search(
    params: SearchParams,
    deadline: Deadline,
    options: SearchOptions = {},
  ): Promise<SpotifyPage> {
    return this.get(searchUrl(this.deps.apiUrl, params), deadline, options);
  }

  /**
   * Follows a paging object's `next` link. Only Spotify's search path on the configured API origin
   * is followed (no other endpoint, no look-alike path such as `/v1evil`, no credentials in the
   * URL), so the bearer token never goes anywhere else.
   */
  async followLink(
    link: string,
    deadline: Deadline,
    options: SearchOptions = {},
  ): Promise<SpotifyPage> {
    const api = new URL(this.deps.apiUrl);
    const target = URL.canParse(link) ? new URL(link) : undefined;
    const searchPath = `${api.pathname.replace(/\/+$/, "")}/search`;
    if (
      target === undefined ||
      target.origin !== api.origin ||
      target.pathname !== searchPath ||
      target.username !== "" ||
      target.password !== ""
    ) {
      throw new UpstreamError(502, "Spotify returned a paging link outside its search API");
    }
    return this.get(target.href, deadline, options);
  }

  private async get(url: string, deadline: Deadline, options: SearchOptions): Promise<SpotifyPage> {
    const { caller, tokens } = this.deps;
    let token: string | undefined;
    const answer = await caller.call({
      endpoint: "search",
      deadline,
      pacer: options.pacer,
      maxRetryAfterMs: options.maxRetryAfterMs,
      build: async () => {
        token = await tokens.get(deadline);
        return {
          method: "GET",
          url,
          headers: { authorization: `Bearer ${token}`, accept: "application/json" },
        };
      },
      onUnauthorized: () => {
        if (token) tokens.invalidate(token);
      },
    });
    if (answer.status >= 300) throw passThroughError(answer.status, answer.body);
    return { body: answer.body, text: answer.text };
  }
}

/** Builds the search URL; `q` is percent-encoded so `&`, `#` or `+` can never split or alter it. */
export function searchUrl(apiUrl: string, params: SearchParams): string {
  const pairs: [string, string | number | undefined][] = [
    ["q", params.q],
    ["type", params.types.join(",")],
    ["market", params.market],
    ["limit", params.limit],
    ["offset", params.offset],
    ["include_external", params.includeExternal],
  ];
  const query = pairs
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeQueryValue(String(value))}`)
    .join("&");
  return `${apiUrl}/search?${query}`;
}

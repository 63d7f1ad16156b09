import type { Deadline } from "../deadline.ts";
import { UpstreamError } from "../errors.ts";
import type { SearchParams } from "../search/search-params.ts";
import { passThroughError } from "./policy.ts";
import type { Pacer, SpotifyCaller } from "./spotify-caller.ts";
import type { TokenProvider } from "./token-provider.ts";

export interface SpotifyPage {
  body: unknown;
  text: string;
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
  search(params: SearchParams, deadline: Deadline, pacer?: Pacer): Promise<SpotifyPage> {
    return this.get(searchUrl(this.deps.apiUrl, params), deadline, pacer);
  }

  /**
   * Follows a paging object's `next` link. Only Spotify's search path on the configured API origin
   * is followed (no other endpoint, no look-alike path such as `/v1evil`, no credentials in the
   * URL), so the bearer token never goes anywhere else.
   */
  async followLink(link: string, deadline: Deadline, pacer?: Pacer): Promise<SpotifyPage> {
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
    return this.get(target.href, deadline, pacer);
  }

  private async get(url: string, deadline: Deadline, pacer?: Pacer): Promise<SpotifyPage> {
    const { caller, tokens } = this.deps;
    let token: string | undefined;
    const answer = await caller.call({
      endpoint: "search",
      deadline,
      pacer,
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

/** encodeURIComponent, keeping `:` and `,` readable (both are legal in a query, RFC 3986 §3.4). */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ":").replace(/%2C/gi, ",");
}

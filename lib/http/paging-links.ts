import { encodeQueryValue } from "../search/search-params.ts";
import type { RequestOrigin } from "./api-event.ts";

/** Spotify's search parameters a link keeps, in the order our links write them, under our names. */
const LINK_PARAMETERS: readonly (readonly [spotify: string, ours: string])[] = [
  ["query", "q"],
  ["type", "type"],
  ["market", "market"],
  ["offset", "offset"],
  ["limit", "limit"],
  ["include_external", "include_external"],
];

/**
 * A paging object's own links as JSON text: `"href"`, `"next"` or `"previous"`, the colon with
 * any whitespace around it (Spotify pretty-prints: `"href" : "…"`), and its string. Outside a
 * string a quote is never escaped, so this cannot match inside an item's text.
 */
const LINK_FIELD = /("(?:href|next|previous)"\s*:\s*)"((?:[^"\\]|\\.)*)"/g;

/** Where our `GET /search` is for this request: PUBLIC_BASE_URL, else how the caller reached us. */
export function searchBase(origin: RequestOrigin, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl !== undefined) return `${publicBaseUrl}/search`;
  // Without a usable host the link stays relative to the path the caller used.
  return origin.host === undefined
    ? origin.path
    : `${origin.scheme}://${origin.host}${origin.path}`;
}

/**
 * Points each paging object's `href`, `next` and `previous` at our own `GET /search` (`base`),
 * so a caller can follow them without a Spotify token. Only Spotify's search links change
 * (`${apiUrl}/search?…`); item links (`/v1/artists/{id}`) and nulls stay. The body is rewritten
 * in place as text: no parse and re-serialise of what is not a link.
 */
export function rewritePagingLinks(body: string, apiUrl: string, base: string): string {
  const spotifySearch = `${apiUrl}/search?`;
  // A writer may escape its slashes (`https:\/\/…`): both spellings are the same link.
  if (!body.includes(spotifySearch) && !body.includes(spotifySearch.replaceAll("/", "\\/"))) {
    return body;
  }
  return body.replace(LINK_FIELD, (field, key: string, raw: string) => {
    const link = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
    if (!link.startsWith(spotifySearch)) return field;
    return `${key}${JSON.stringify(ourLink(link, base))}`;
  });
}

/** Spotify's `query` becomes `q`; the other known names stay; anything else is dropped. */
function ourLink(link: string, base: string): string {
  const spotify = new URL(link).searchParams;
  const pairs: string[] = [];
  for (const [from, to] of LINK_PARAMETERS) {
    const value = spotify.get(from);
    // encodeURIComponent writes a space as %20, which both payload versions read back as a space.
    if (value !== null) pairs.push(`${to}=${encodeQueryValue(value)}`);
  }
  return `${base}?${pairs.join("&")}`;
}

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

/** The keys of a paging object's own links, as they appear in JSON text. */
const LINK_KEYS = ['"href"', '"next"', '"previous"'];

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
 * in place as text, found with `indexOf`: no parse and re-serialise, no scan of what cannot be a
 * link.
 */
export function rewritePagingLinks(body: string, apiUrl: string, base: string): string {
  const rewritten = rewriteAt(body, `"${apiUrl}/search?`, base);
  // A writer may escape its slashes (`https:\/\/…`): the same link, spelt otherwise.
  if (!rewritten.includes("\\/")) return rewritten;
  return rewriteAt(rewritten, `"${apiUrl.replaceAll("/", "\\/")}\\/search?`, base);
}

/** Rewrites every JSON string that starts with `needle` and is the value of a link key. */
function rewriteAt(body: string, needle: string, base: string): string {
  let out = "";
  let copied = 0;
  for (let at = body.indexOf(needle); at !== -1; ) {
    const end = closingQuote(body, at + 1);
    if (end === -1) break;
    if (isLinkValue(body, at)) {
      const raw = body.slice(at + 1, end);
      const link = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
      out += body.slice(copied, at) + JSON.stringify(ourLink(link, base));
      copied = end + 1;
    }
    at = body.indexOf(needle, end + 1);
  }
  return copied === 0 ? body : out + body.slice(copied);
}

/** The quote that closes the string opened just before `from` (one not escaped by a backslash). */
function closingQuote(body: string, from: number): number {
  for (let at = body.indexOf('"', from); at !== -1; at = body.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (body[at - 1 - backslashes] === "\\") backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * True when the string opening at `quoteAt` is the value of `"href"`, `"next"` or `"previous"`
 * (any whitespace around the colon, as Spotify pretty-prints). A quote inside an item's text is
 * escaped, so it is preceded by a backslash, never by a colon, and is never taken for a link.
 */
function isLinkValue(body: string, quoteAt: number): boolean {
  let at = quoteAt - 1;
  while (at >= 0 && isSpace(body.charCodeAt(at))) at--;
  if (body[at] !== ":") return false;
  at--;
  while (at >= 0 && isSpace(body.charCodeAt(at))) at--;
  return LINK_KEYS.some((key) => body.startsWith(key, at - key.length + 1));
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** Spotify's `query` becomes `q`; the other known names stay; anything else is dropped. */
function ourLink(link: string, base: string): string {
  const spotify = queryOf(link);
  const pairs: string[] = [];
  for (const [from, to] of LINK_PARAMETERS) {
    const value = spotify.get(from);
    // encodeURIComponent writes a space as %20, which both payload versions read back as a space.
    if (value !== undefined) pairs.push(`${to}=${encodeQueryValue(value)}`);
  }
  return `${base}?${pairs.join("&")}`;
}

/**
 * The link's query, decoded as URLSearchParams does (`+` is a space; the first value of a name
 * wins), at a fraction of `new URL`'s cost on the warm path; a malformed escape falls back to it.
 */
function queryOf(link: string): Map<string, string> {
  const values = new Map<string, string>();
  const query = link.slice(link.indexOf("?") + 1).split("#", 1)[0] ?? "";
  try {
    for (const pair of query.split("&")) {
      const equals = pair.indexOf("=");
      const name = decode(equals === -1 ? pair : pair.slice(0, equals));
      if (!values.has(name)) values.set(name, equals === -1 ? "" : decode(pair.slice(equals + 1)));
    }
    return values;
  } catch {
    return new Map(new URLSearchParams(query));
  }
}

function decode(text: string): string {
  if (!text.includes("%") && !text.includes("+")) return text;
  return decodeURIComponent(text.replaceAll("+", " "));
}

import { hex, Seed, spotifyId } from "./seed.ts";
import type { Profile } from "./types.ts";

export const SEARCH_TYPES = [
  "album",
  "artist",
  "playlist",
  "track",
  "show",
  "episode",
  "audiobook",
] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export interface CatalogueContext {
  q: string;
  apiUrl: string;
  profile: Profile;
  market: string | undefined;
}

type Json = Record<string, unknown>;

const words = (...lines: string[]): string[] => lines.join(" ").split(" ");
const ADJECTIVES = words(
  "Midnight Golden Electric Silent Neon Velvet Paper Crystal",
  "Wild Lonely Broken Summer Northern Hidden Endless Blue",
);
const NOUNS = words(
  "Hearts Rivers Lights Echoes Dreams Machines Tides Ghosts",
  "Roads Skies Stories Waves Fires Gardens Mirrors Cities",
);
const FIRST = words("Ada Ben Clara Dev Elif Femi Greta Hiro Ines Jon");
const LAST = words("Moreau Okafor Lindqvist Park Rossi Silva Novak Haddad");
const GENRES = ["pop", "k-pop", "indie rock", "jazz", "hip hop", "electronic", "folk"] as const;
const MARKETS = words("US GB DE FR SE JP KR BR MX ES");
const FIELD_FILTER = /\b(album|artist|track|year|upc|isrc|genre|tag):("[^"]*"|\S+)/gi;

/** The free text of a query, without field filters (falls back to the first filter's value). */
export function freeText(q: string): string {
  const text = q.replace(FIELD_FILTER, " ").replace(/\s+/g, " ").trim();
  if (text !== "") return text;
  const first = /\b\w+:("[^"]*"|\S+)/.exec(q)?.[1];
  return first?.replace(/"/g, "").trim() || "Untitled";
}

function phrase(seed: Seed): string {
  return `${seed.pick(ADJECTIVES)} ${seed.pick(NOUNS)}`;
}

function person(seed: Seed): string {
  return `${seed.pick(FIRST)} ${seed.pick(LAST)}`;
}

function releaseDate(seed: Seed): string {
  const month = String(seed.range(1, 12)).padStart(2, "0");
  const day = String(seed.range(1, 28)).padStart(2, "0");
  return `${seed.range(1965, 2025)}-${month}-${day}`;
}

function links(type: string, id: string, ctx: CatalogueContext): Json {
  return {
    external_urls: { spotify: `https://open.spotify.com/${type}/${id}` },
    href: `${ctx.apiUrl}/${type}s/${id}`,
    id,
    uri: `spotify:${type}:${id}`,
  };
}

function images(key: string): Json[] {
  return [640, 300, 64].map((size) => ({
    url: `https://i.scdn.co/image/${hex(`${key}:${size}`, 40)}`,
    height: size,
    width: size,
  }));
}

function markets(seed: Seed, ctx: CatalogueContext): Json {
  if (ctx.profile !== "extended" || ctx.market !== undefined) return {};
  return { available_markets: MARKETS.filter(() => seed.chance(4, 5)) };
}

function simpleArtist(key: string, name: string, ctx: CatalogueContext): Json {
  // The artist named like the query keeps one id across tracks, albums and artists.
  const id = spotifyId(name === freeText(ctx.q) ? `artist-name:${name}` : `artist:${key}`);
  return { ...links("artist", id, ctx), name, type: "artist" };
}

function artistName(seed: Seed, ctx: CatalogueContext, index: number): string {
  if (index === 0) return freeText(ctx.q);
  return seed.chance(1, 3) ? `${freeText(ctx.q)} & The ${phrase(seed)}` : `The ${phrase(seed)}`;
}

function artist(key: string, seed: Seed, ctx: CatalogueContext, index: number): Json {
  const base = simpleArtist(key, artistName(seed, ctx, index), ctx);
  const item: Json = { ...base, images: images(key) };
  if (ctx.profile === "extended") {
    item.followers = { href: null, total: seed.range(0, 50_000_000) };
    item.genres = [seed.pick(GENRES), seed.pick(GENRES)].filter(
      (g, i, all) => all.indexOf(g) === i,
    );
    item.popularity = seed.range(0, 100);
  }
  return item;
}

function album(key: string, seed: Seed, ctx: CatalogueContext, index: number): Json {
  const id = spotifyId(`album:${key}`);
  const totalTracks = seed.range(1, 24);
  const albumType = totalTracks < 4 ? "single" : seed.chance(1, 8) ? "compilation" : "album";
  return {
    album_type: albumType,
    total_tracks: totalTracks,
    ...markets(seed, ctx),
    ...links("album", id, ctx),
    images: images(key),
    name: index === 0 ? freeText(ctx.q) : phrase(seed),
    release_date: releaseDate(seed),
    release_date_precision: "day",
    type: "album",
    artists: [simpleArtist(`${key}:a`, artistName(seed, ctx, index % 2), ctx)],
  };
}

function isrc(seed: Seed): string {
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let registrant = "";
  for (let i = 0; i < 3; i += 1) registrant += letters[seed.range(0, 25)];
  const serial = String(seed.range(0, 99_999)).padStart(5, "0");
  return `${seed.pick(["US", "GB", "SE", "KR", "DE"])}${registrant}${seed.range(10, 25)}${serial}`;
}

function track(key: string, seed: Seed, ctx: CatalogueContext, index: number): Json {
  const id = spotifyId(`track:${key}`);
  const albumItem = album(`${key}:album`, seed, ctx, index);
  const item: Json = {
    album: albumItem,
    artists: albumItem.artists,
    ...markets(seed, ctx),
    disc_number: 1,
    duration_ms: seed.range(95_000, 420_000),
    explicit: seed.chance(1, 5),
    external_ids: { isrc: isrc(seed) },
    ...links("track", id, ctx),
    is_local: false,
    name: index === 0 ? freeText(ctx.q) : phrase(seed),
    preview_url: null,
    track_number: seed.range(1, Number(albumItem.total_tracks)),
    type: "track",
  };
  if (ctx.market !== undefined) item.is_playable = true;
  if (ctx.profile === "extended") item.popularity = seed.range(0, 100);
  return item;
}

function playlist(key: string, seed: Seed, ctx: CatalogueContext): Json | null {
  if (seed.chance(1, 7)) return null;
  const id = spotifyId(`playlist:${key}`);
  const ownerId = `user${seed.range(1000, 99_999)}`;
  const text = freeText(ctx.q);
  return {
    collaborative: false,
    description: `The best of ${text}, updated weekly.`,
    ...links("playlist", id, ctx),
    images: images(key).slice(0, 1),
    name: seed.pick([`This Is ${text}`, `${text} Mix`, `${text}: ${phrase(seed)}`]),
    owner: {
      display_name: person(seed),
      external_urls: { spotify: `https://open.spotify.com/user/${ownerId}` },
      href: `${ctx.apiUrl}/users/${ownerId}`,
      id: ownerId,
      type: "user",
      uri: `spotify:user:${ownerId}`,
    },
    primary_color: null,
    public: true,
    snapshot_id: hex(`snapshot:${key}`, 32),
    tracks: { href: `${ctx.apiUrl}/playlists/${id}/tracks`, total: seed.range(1, 300) },
    type: "playlist",
  };
}

function show(key: string, seed: Seed, ctx: CatalogueContext): Json {
  const id = spotifyId(`show:${key}`);
  const description = `Conversations about ${freeText(ctx.q)} and ${phrase(seed).toLowerCase()}.`;
  return {
    ...markets(seed, ctx),
    copyrights: [],
    description,
    html_description: `<p>${description}</p>`,
    explicit: seed.chance(1, 6),
    ...links("show", id, ctx),
    images: images(key),
    is_externally_hosted: false,
    languages: ["en"],
    media_type: "audio",
    name: seed.pick([`The ${freeText(ctx.q)} Podcast`, `${phrase(seed)} Radio`]),
    publisher: person(seed),
    total_episodes: seed.range(1, 500),
    type: "show",
  };
}

function episode(key: string, seed: Seed, ctx: CatalogueContext, index: number): Json {
  const id = spotifyId(`episode:${key}`);
  const description = `${person(seed)} talks about ${freeText(ctx.q)}.`;
  return {
    audio_preview_url: null,
    description,
    html_description: `<p>${description}</p>`,
    duration_ms: seed.range(600_000, 7_200_000),
    explicit: seed.chance(1, 6),
    ...links("episode", id, ctx),
    images: images(key),
    is_externally_hosted: false,
    is_playable: true,
    languages: ["en"],
    name: `#${seed.range(1, 400) + index}: ${phrase(seed)} with ${freeText(ctx.q)}`,
    release_date: releaseDate(seed),
    release_date_precision: "day",
    type: "episode",
  };
}

function audiobook(key: string, seed: Seed, ctx: CatalogueContext): Json {
  const id = spotifyId(`audiobook:${key}`);
  const description = `A story of ${phrase(seed).toLowerCase()}.`;
  return {
    authors: [{ name: person(seed) }],
    ...markets(seed, ctx),
    copyrights: [],
    description,
    html_description: `<p>${description}</p>`,
    edition: "Unabridged",
    explicit: false,
    ...links("audiobook", id, ctx),
    images: images(key),
    languages: ["en"],
    media_type: "audio",
    name: `The ${phrase(seed)}: A ${freeText(ctx.q)} Story`,
    narrators: [{ name: person(seed) }],
    publisher: person(seed),
    total_chapters: seed.range(5, 60),
    type: "audiobook",
  };
}

/** The deterministic item at `index` of the results for (q, type). */
export function catalogueItem(type: SearchType, index: number, ctx: CatalogueContext): Json | null {
  const key = `${type}\u0000${ctx.q}\u0000${index}`;
  const seed = new Seed(key);
  switch (type) {
    case "artist":
      return artist(key, seed, ctx, index);
    case "album":
      return album(key, seed, ctx, index);
    case "track":
      return track(key, seed, ctx, index);
    case "playlist":
      return playlist(key, seed, ctx);
    case "show":
      return show(key, seed, ctx);
    case "episode":
      return episode(key, seed, ctx, index);
    case "audiobook":
      return audiobook(key, seed, ctx);
  }
}

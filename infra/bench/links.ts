/**
 * Paging links at answer time: `rewritePagingLinks` (the targeted rewrite the warm path runs on
 * every 200) on Spotify pages of one type and of every type, beside a full JSON parse and
 * re-serialise of the same body, the least any rewrite that parses must do.
 */
import { rewritePagingLinks } from "../../lib/http/paging-links.ts";
import type { Measurement } from "./child.ts";
import { median, row } from "./report.ts";

const PAGES = [
  { label: "one type", query: "q=BTS&type=artist&limit=10" },
  {
    label: "every type",
    query: "q=BTS&type=album,artist,playlist,track,show,episode,audiobook&limit=10",
  },
];
const BASE = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/search";

/** Median time of one call, over `rounds` rounds of `calls` calls each. */
function timeCall(call: () => unknown, rounds: number, calls: number): number {
  for (let i = 0; i < calls; i++) call();
  const perRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) call();
    perRound.push((performance.now() - started) / calls);
  }
  return median(perRound);
}

export const pagingLinks: Measurement = {
  name: "links",
  run: async (bench) => {
    const rounds = bench.quick ? 5 : 25;
    bench.progress(`links: paging links rewritten, ${rounds} rounds of 2,000 calls`);
    const { emulator } = bench;
    const token = emulator.issueToken();
    const rows = [];
    const details: Record<string, unknown> = {};
    for (const page of PAGES) {
      const answer = await fetch(`${emulator.apiUrl}/search?${page.query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await answer.text();
      const rewrite = () => rewritePagingLinks(body, emulator.apiUrl, BASE);
      if (rewrite() === body) throw new Error(`no paging link was rewritten in ${page.label}`);
      const targeted = timeCall(rewrite, rounds, 2_000);
      const parsed = timeCall(() => JSON.stringify(JSON.parse(body)), rounds, 2_000);
      rows.push(row(`paging links, ${page.label} (${body.length} B)`, "ms", targeted, parsed));
      details[page.label] = {
        bytes: body.length,
        targetedMs: targeted,
        parseAndStringifyMs: parsed,
      };
    }
    return { rows, details };
  },
};

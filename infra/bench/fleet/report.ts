/** The fleet simulation's table: one column per mode, mode 3 against mode 1, and the targets. */
import type { ModeResult } from "./simulate.ts";

export interface Check {
  figure: string;
  target: string;
  value: string;
  met: boolean;
}

const ratio = (a: number, b: number) =>
  b === 0 ? (a === 0 ? 0 : Number.POSITIVE_INFINITY) : a / b;
const pct = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : "∞");

/** The acceptance: mode 3 against mode 1 on the same workload. */
export function checks(today: ModeResult, shared: ModeResult): Check[] {
  const upstream = ratio(shared.upstream.perThousand, today.upstream.perThousand);
  const limited = ratio(shared.upstream.rateLimited, today.upstream.rateLimited);
  return [
    {
      figure: "upstream requests (per 1,000)",
      target: "≤ 35 % of mode 1",
      value: pct(upstream),
      met: upstream <= 0.35,
    },
    {
      figure: "429s received from Spotify",
      target: "≤ 20 % of mode 1",
      value: pct(limited),
      met: limited <= 0.2,
    },
    {
      figure: "requests inside an announced window",
      target: "0",
      value: String(shared.windows.insideAnnounced),
      met: shared.windows.insideAnnounced === 0,
    },
    {
      figure: "caller p99",
      target: "≤ mode 1",
      value: `${fmtMs(shared.latencyMs.p99)} vs ${fmtMs(today.latencyMs.p99)}`,
      met: shared.latencyMs.p99 <= today.latencyMs.p99,
    },
  ];
}

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function statuses(result: ModeResult): string {
  return Object.entries(result.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join(", ");
}

function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

interface Row {
  figure: string;
  cell: (result: ModeResult) => string;
  versus?: (today: ModeResult, shared: ModeResult) => string;
}

const ROWS: Row[] = [
  { figure: "caller answers by status", cell: statuses },
  {
    figure: "upstream requests per 1,000 caller requests",
    cell: (r) => r.upstream.perThousand.toFixed(0),
    versus: (a, b) => pct(ratio(b.upstream.perThousand, a.upstream.perThousand)),
  },
  {
    figure: "429s received from Spotify",
    cell: (r) => String(r.upstream.rateLimited),
    versus: (a, b) => pct(ratio(b.upstream.rateLimited, a.upstream.rateLimited)),
  },
  {
    figure: "requests inside a window announced ≥ 100 ms before to another container",
    cell: (r) => String(r.windows.insideAnnounced),
  },
  {
    figure: "requests in the first second after each window (windows)",
    cell: (r) => `${r.windows.firstSecondAfter} (${r.windows.merged})`,
  },
  { figure: "caller latency p50", cell: (r) => fmtMs(r.latencyMs.p50) },
  {
    figure: "caller latency p99",
    cell: (r) => fmtMs(r.latencyMs.p99),
    versus: (a, b) => pct(ratio(b.latencyMs.p99, a.latencyMs.p99)),
  },
  {
    figure: "est. cost per million requests (Lambda + requests + DynamoDB + logs)",
    cell: (r) => usd(r.cost.total),
    versus: (a, b) => pct(ratio(b.cost.total, a.cost.total)),
  },
  {
    figure: "  Lambda GB-s / requests / DynamoDB / logs",
    cell: (r) =>
      [r.cost.lambdaCompute, r.cost.lambdaRequests, r.cost.dynamodb, r.cost.logs]
        .map(usd)
        .join(" / "),
  },
  {
    figure: "answered from memory / shared table / Spotify (misses)",
    cell: (r) => {
      const { CacheMemoryHits = 0, CacheSharedHits = 0, CacheMisses = 0 } = r.metrics;
      if (CacheMemoryHits + CacheSharedHits + CacheMisses === 0) return "– (no cache)";
      return `${CacheMemoryHits} / ${CacheSharedHits} / ${CacheMisses}`;
    },
  },
  {
    figure: "shared table errors (container on its own cooldown for a while)",
    cell: (r) => String(r.metrics.CacheSharedErrors ?? 0),
  },
  {
    figure: "token requests / tokens seen on searches",
    cell: (r) => `${r.upstream.tokens} / ${r.upstream.identities}`,
  },
  {
    figure: "DynamoDB read / write units",
    cell: (r) => `${r.aws.readUnits} / ${r.aws.writeUnits}`,
  },
  {
    figure: "DynamoDB (moto) round trip p50 / p99",
    cell: (r) =>
      Number.isNaN(r.aws.roundTripMs.p50)
        ? "–"
        : `${fmtMs(r.aws.roundTripMs.p50)} / ${fmtMs(r.aws.roundTripMs.p99)}`,
  },
  {
    figure: "log bytes per request",
    cell: (r) => (r.logBytes / Math.max(1, r.answered)).toFixed(0),
  },
];

/** A Markdown table (readable as plain text too). */
export function fleetTable(results: readonly ModeResult[]): string {
  const today = results.find((r) => r.mode === 1);
  const shared = results.find((r) => r.mode === 3);
  const header = ["figure", ...results.map((r) => `${r.mode}. ${r.name}`), "3 vs 1"];
  const lines = ROWS.map((row) => [
    row.figure,
    ...results.map(row.cell),
    today && shared && row.versus ? row.versus(today, shared) : "",
  ]);
  return markdown([header, ...lines]);
}

export function checksTable(list: readonly Check[]): string {
  return markdown([
    ["mode 3 vs mode 1", "target", "value", "met"],
    ...list.map((c) => [c.figure, c.target, c.value, c.met ? "met" : "**missed**"]),
  ]);
}

function markdown(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? "").length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, col) => cell.padEnd(widths?.[col] ?? 0)).join(" | ")} |`;
  const [head, ...body] = rows;
  if (head === undefined) return "";
  const rule = `| ${(widths ?? []).map((w) => "-".repeat(w)).join(" | ")} |`;
  return [line(head), rule, ...body.map(line)].join("\n");
}

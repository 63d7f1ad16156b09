/** The bench's table (stdout) and the rows the JSON report carries. */
import type { Bundle } from "./builds.ts";

export type Status = "pass" | "miss" | "info";
export type Unit = "ms" | "bytes" | "per-second" | "per-1000" | "count";

export interface Row {
  section: string;
  figure: string;
  unit: Unit;
  value: number;
  floor?: number;
  ratio?: number;
  /** Highest ratio that meets the target, when the issue sets one. */
  maxRatio?: number;
  target: string;
  status: Status;
}

export function row(
  section: string,
  figure: string,
  unit: Unit,
  value: number,
  floor?: number,
  target?: { maxRatio: number; label?: string } | string,
): Row {
  const ratio = floor === undefined || floor === 0 ? undefined : value / floor;
  if (typeof target === "object") {
    const met = ratio !== undefined && Number.isFinite(ratio) && ratio <= target.maxRatio;
    return {
      section,
      figure,
      unit,
      value,
      floor,
      ratio,
      maxRatio: target.maxRatio,
      target: target.label ?? `≤ ${target.maxRatio}×`,
      status: met ? "pass" : "miss",
    };
  }
  return { section, figure, unit, value, floor, ratio, target: target ?? "—", status: "info" };
}

export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined) return "—";
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case "ms":
      return `${value.toFixed(Math.abs(value) < 10 ? 3 : Math.abs(value) < 100 ? 2 : 1)} ms`;
    case "bytes":
      return `${(value / 1024).toFixed(1)} KiB`;
    case "per-second":
      return `${value.toFixed(2)}/s`;
    case "per-1000":
      return `${value.toFixed(2)} /1k inv`;
    case "count":
      return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }
}

function formatRatio(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? "—" : `${ratio.toFixed(2)}×`;
}

/** The table: figure, value, floor, ratio, target, pass/miss; one header line per section. */
export function renderTable(rows: readonly Row[]): string {
  const header = ["figure", "value", "floor", "ratio", "target", "result"];
  const cells = rows.map((r) => [
    r.figure,
    formatValue(r.value, r.unit),
    formatValue(r.floor, r.unit),
    formatRatio(r.ratio),
    r.target,
    r.status === "info" ? "info" : r.status.toUpperCase(),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((line) => (line[i] ?? "").length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => (i === 0 ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const rule = "-".repeat(widths.reduce((sum, w) => sum + w + 2, -2));
  const out = [line(header), rule];
  let section = "";
  rows.forEach((r, i) => {
    if (r.section !== section) {
      section = r.section;
      out.push(`[${section}]`);
    }
    out.push(line(cells[i] ?? []));
  });
  return out.join("\n");
}

/** "What dominates the bundle": the largest packages of each bundle. */
export function renderComposition(bundles: readonly Bundle[], top = 8): string {
  const out: string[] = [];
  for (const bundle of bundles) {
    out.push(
      `${bundle.logicalId} (${bundle.variant}): ${formatValue(bundle.bytes, "bytes")} minified, ` +
        `source map ${formatValue(bundle.mapBytes, "bytes")}`,
    );
    const shown = bundle.packages.slice(0, top);
    for (const pkg of shown) {
      out.push(
        `  ${pkg.name.padEnd(42)} ${formatValue(pkg.bytes, "bytes").padStart(10)} ${(pkg.share * 100).toFixed(1).padStart(5)}%`,
      );
    }
    const rest = bundle.packages.slice(top);
    if (rest.length > 0) {
      const bytes = rest.reduce((sum, pkg) => sum + pkg.bytes, 0);
      out.push(
        `  ${`(${rest.length} more packages)`.padEnd(42)} ${formatValue(bytes, "bytes").padStart(10)} ${((bytes / bundle.bytes) * 100).toFixed(1).padStart(5)}%`,
      );
    }
  }
  return out.join("\n");
}

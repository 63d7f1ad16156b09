/** The bench's rows, the statistics behind them, and the table they print as. */

export type Unit = "ms" | "KiB" | "per-second" | "per-thousand";

export interface Row {
  figure: string;
  unit: Unit;
  value: number;
  /** The same figure for the least any implementation must do, when there is one. */
  floor?: number;
  /** value / floor. */
  ratio?: number;
  /** The target: the highest ratio that meets it. */
  maxRatio?: number;
  status: "pass" | "miss" | "info";
}

export function row(figure: string, unit: Unit, value: number, floor?: number, maxRatio?: number) {
  const ratio = floor ? value / floor : undefined;
  const status: Row["status"] =
    maxRatio === undefined ? "info" : ratio !== undefined && ratio <= maxRatio ? "pass" : "miss";
  return { figure, unit, value, floor, ratio, maxRatio, status } satisfies Row;
}

/** The q-quantile (0..1), interpolated between closest ranks; NaN for no samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = sorted[Math.floor(position)] ?? Number.NaN;
  const high = sorted[Math.ceil(position)] ?? low;
  return low + (high - low) * (position - Math.floor(position));
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

function format(value: number | undefined, unit: Unit): string {
  if (value === undefined) return "";
  if (unit === "KiB") return `${(value / 1024).toFixed(0)} KiB`;
  if (unit === "per-second") return `${value.toFixed(2)}/s`;
  if (unit === "per-thousand") return `${value.toFixed(0)}/1000`;
  return `${value.toFixed(value < 10 ? 3 : 1)} ms`;
}

export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [
    r.figure,
    format(r.value, r.unit),
    format(r.floor, r.unit),
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`,
    r.maxRatio === undefined ? "" : `≤ ${r.maxRatio}× ${r.status === "pass" ? "met" : "MISSED"}`,
  ]);
  const lines = [["figure", "value", "floor", "ratio", "target"], ...cells];
  const widths = lines[0]?.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length))) ?? [];
  return lines
    .map((line) =>
      line
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

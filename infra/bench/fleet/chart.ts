/** An SVG of upstream requests and 429s per second over time, one panel per mode. */

export interface ChartPanel {
  title: string;
  upstream: readonly number[];
  rateLimited: readonly number[];
}

const WIDTH = 820;
const PANEL = 170;
const LEFT = 48;
const RIGHT = 16;
const TOP = 62;
const GAP = 46;

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceMax(value: number): number {
  if (value <= 5) return 5;
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
}

/**
 * One panel per mode, all on the same axes so heights compare; `admittedPerSecond`, when given,
 * is drawn as a dashed line (what Spotify's window admits on average).
 */
export function fleetChart(
  title: string,
  subtitle: string,
  panels: readonly ChartPanel[],
  admittedPerSecond?: number,
): string {
  const seconds = Math.max(1, ...panels.map((p) => p.upstream.length));
  const yMax = niceMax(Math.max(1, ...panels.flatMap((p) => [...p.upstream, ...p.rateLimited])));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const height = TOP + panels.length * (PANEL + GAP) + 10;
  const x = (second: number) => LEFT + (second / seconds) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11" role="img">`,
    `<title>${escapeXml(`${title}. ${subtitle}`)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="18" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${LEFT}" y="34">${escapeXml(subtitle)}</text>`,
    `<g transform="translate(${LEFT},40)"><rect width="12" height="3" y="6" fill="#1f77b4"/><text x="16" y="11">upstream requests/s</text><rect x="140" width="12" height="10" y="2" fill="#d62728" opacity="0.75"/><text x="156" y="11">429s/s from Spotify</text>${admittedPerSecond === undefined ? "" : `<line x1="290" x2="302" y1="7" y2="7" stroke="#2ca02c" stroke-dasharray="4 3"/><text x="306" y="11">admitted by Spotify's window, on average</text>`}</g>`,
  ];
  panels.forEach((panel, index) => {
    const top = TOP + index * (PANEL + GAP) + 16;
    const y = (value: number) => top + PANEL - (value / yMax) * PANEL;
    parts.push(
      `<text x="${LEFT}" y="${top - 6}" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    parts.push(
      `<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL}" fill="none" stroke="#999"/>`,
    );
    for (const tick of [0, yMax / 2, yMax]) {
      parts.push(
        `<text x="${LEFT - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`,
        `<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="#eee"/>`,
      );
    }
    const step = seconds > 120 ? 30 : seconds > 40 ? 10 : 5;
    for (let s = 0; s <= seconds; s += step) {
      parts.push(`<text x="${x(s)}" y="${top + PANEL + 14}" text-anchor="middle">${s}s</text>`);
    }
    const barWidth = Math.max(1, plotWidth / seconds - 1);
    panel.rateLimited.forEach((count, second) => {
      if (count <= 0) return;
      parts.push(
        `<rect x="${x(second).toFixed(1)}" y="${y(count).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(top + PANEL - y(count)).toFixed(1)}" fill="#d62728" opacity="0.75"/>`,
      );
    });
    const points = panel.upstream
      .map((count, second) => `${x(second + 0.5).toFixed(1)},${y(count).toFixed(1)}`)
      .join(" ");
    parts.push(`<polyline points="${points}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>`);
    if (admittedPerSecond !== undefined && admittedPerSecond <= yMax) {
      const level = y(admittedPerSecond).toFixed(1);
      parts.push(
        `<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${level}" y2="${level}" stroke="#2ca02c" stroke-dasharray="4 3"/>`,
      );
    }
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

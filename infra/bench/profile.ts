/**
 * `--profile`: where a warm invocation's CPU time goes. The bench runs one warm container of an
 * unminified build (same esbuild settings, `minify: false`, so names and esbuild's `// path`
 * module markers stay) under `node --cpu-prof`, then attributes every sample to the innermost
 * frame of the bundle on its stack, grouped by the package that frame comes from. Samples under
 * fetch (Node's undici) count as "fetch", split by whether the handler or the floor made it.
 */
import { readFileSync } from "node:fs";
import { packageOf } from "./builds.ts";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  /** CPU microseconds per invocation (profile time / invocations). */
  usPerInvocation: number;
}

export interface ProfileReport {
  invocations: number;
  /** By package of the innermost bundle frame; `fetch (handler)`, `fetch (floor)`, `other`, … */
  byPackage: ProfileShare[];
  /** Functions of the bundle by inclusive CPU time (synchronous parts only, as V8 samples). */
  topFunctions: (ProfileShare & { package: string })[];
}

/** Line (0-based) → module path, from esbuild's `// node_modules/…` markers of an unminified bundle. */
function moduleLines(bundleText: string): { line: number; path: string }[] {
  const markers: { line: number; path: string }[] = [];
  bundleText.split("\n").forEach((text, line) => {
    const match = /^\/\/ ((?:node_modules|lib|handlers|infra)\/\S+)$/.exec(text);
    if (match?.[1]) markers.push({ line, path: match[1] });
  });
  return markers;
}

function moduleAt(markers: { line: number; path: string }[], line: number): string {
  let low = 0;
  let high = markers.length - 1;
  let found = "?";
  while (low <= high) {
    const mid = (low + high) >> 1;
    const marker = markers[mid];
    if (!marker) break;
    if (marker.line <= line) {
      found = marker.path;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}

export function analyzeProfile(
  profileFile: string,
  bundleFile: string,
  invocations: number,
  top = 15,
): ProfileReport {
  const profile = JSON.parse(readFileSync(profileFile, "utf8")) as CpuProfile;
  const markers = moduleLines(readFileSync(bundleFile, "utf8"));
  const bundleName = bundleFile.split("/").pop() ?? bundleFile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const inBundle = (frame: CallFrame) => frame.url.endsWith(bundleName);
  const packageOfFrame = (frame: CallFrame) => {
    const module = moduleAt(markers, frame.lineNumber);
    return module === "?" ? "(esbuild runtime, module init)" : packageOf(module);
  };
  const frameKey = (frame: CallFrame) =>
    `${frame.functionName || "(anonymous)"}:${frame.lineNumber}`;

  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const byPackage = new Map<string, number>();
  const inclusive = new Map<string, { us: number; frame: CallFrame }>();
  for (const [id, us] of selfTime) {
    const leaf = nodes.get(id);
    if (!leaf) continue;
    let category: string | undefined;
    let sawFetch = false;
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const frame = nodes.get(cursor)?.callFrame;
      if (!frame) break;
      if (frame.url.includes("undici")) sawFetch = true;
      if (inBundle(frame)) {
        category ??= sawFetch ? "fetch (undici) called by the function" : packageOfFrame(frame);
        const key = frameKey(frame);
        if (!seen.has(key)) {
          seen.add(key);
          const entry = inclusive.get(key) ?? { us: 0, frame };
          entry.us += us;
          inclusive.set(key, entry);
        }
      }
    }
    const name = leaf.callFrame.functionName;
    category ??= sawFetch
      ? "fetch (undici) callbacks, and the floor's fetch"
      : name === "(idle)" || name === "(garbage collector)" || name === "(program)"
        ? name
        : "outside the function (runner, node)";
    byPackage.set(category, (byPackage.get(category) ?? 0) + us);
  }
  const perInvocation = (us: number) => us / invocations;
  return {
    invocations,
    byPackage: [...byPackage]
      .map(([name, us]) => ({ name, usPerInvocation: perInvocation(us) }))
      .sort((a, b) => b.usPerInvocation - a.usPerInvocation),
    topFunctions: [...inclusive.values()]
      .map(({ us, frame }) => ({
        name: frame.functionName || "(anonymous)",
        package: packageOfFrame(frame),
        usPerInvocation: perInvocation(us),
      }))
      .sort((a, b) => b.usPerInvocation - a.usPerInvocation)
      .slice(0, top),
  };
}

export function renderProfile(report: ProfileReport): string {
  const out = [
    `CPU per warm invocation (µs; ${report.invocations} invocations of an unminified build under --cpu-prof,`,
    "import and the first invocation amortized in; sampling inflates absolute values):",
  ];
  for (const share of report.byPackage) {
    out.push(`  ${share.name.padEnd(44)} ${share.usPerInvocation.toFixed(1).padStart(8)}`);
  }
  out.push("Bundle functions by inclusive CPU (µs per invocation, synchronous parts):");
  for (const fn of report.topFunctions) {
    out.push(
      `  ${fn.name.padEnd(32)} ${fn.package.padEnd(34)} ${fn.usPerInvocation.toFixed(1).padStart(8)}`,
    );
  }
  return out.join("\n");
}

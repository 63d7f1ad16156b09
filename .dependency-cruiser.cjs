/**
 * The layers of lib/, written down once and checked by `npm test` (tests/tooling/layers.test.ts)
 * and by `npx depcruise lib handlers`. Imports only point down:
 *
 *   kernel (lib/*.ts, observability/) → search/, http/ → spotify/, cache/ → batch/ → app/
 *
 * Domain folders declare the ports they need (cache/entry-store.ts, spotify/cooldown-store.ts,
 * batch/results-storage.ts); aws/ holds the adapters that implement them and is wired in app/.
 * Type-only imports count.
 */
const LIB = "^lib/";
const folder = (names) => `^lib/(${names.join("|")})/`;

const layer = (name, from, forbidden) => ({
  name,
  severity: "error",
  comment: `${from} must not import ${forbidden.join(", ")}`,
  from: { path: from === "kernel" ? "^lib/([^/]+\\.ts|observability/)" : folder([from]) },
  to: { path: folder(forbidden) },
});

module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      severity: "error",
      comment:
        "An import cycle in lib/ (type imports count): break it with a port or by moving a type down",
      from: { path: LIB },
      to: { circular: true },
    },
    layer("kernel-imports-nothing-above", "kernel", [
      "search",
      "http",
      "spotify",
      "cache",
      "batch",
      "aws",
      "app",
    ]),
    layer("search-below-http", "search", ["http", "spotify", "cache", "batch", "aws", "app"]),
    layer("http-below-domain", "http", ["spotify", "cache", "batch", "aws", "app"]),
    layer("spotify-uses-ports-not-adapters", "spotify", ["http", "cache", "batch", "aws", "app"]),
    layer("cache-uses-ports-not-adapters", "cache", ["spotify", "batch", "aws", "app"]),
    layer("batch-uses-ports-not-adapters", "batch", ["http", "cache", "aws", "app"]),
    layer("adapters-below-app", "aws", ["http", "app"]),
    {
      name: "lib-stands-alone",
      severity: "error",
      comment: "lib/ must not import handlers/, infra/ or tests/",
      from: { path: LIB },
      to: { path: "^(handlers|infra|tests)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    // TypeScript 7 (the native compiler) has no JS API for dependency-cruiser: swc parses instead.
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};

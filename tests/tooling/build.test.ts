import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BuildResult,
  buildAll,
  buildFunction,
  esbuildOptionsFor,
  parseHandler,
  snakeCase,
} from "../../infra/build/build.ts";
import {
  type CfnTemplate,
  type FunctionSpec,
  functionsOf,
  loadTemplate,
  PROJECT_ROOT,
} from "../../infra/template/template.ts";

const BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

function spec(buildProperties: Record<string, unknown>, handler = "app.handler"): FunctionSpec {
  return {
    logicalId: "Fn",
    handler,
    codeUri: "./",
    runtime: "nodejs22.x",
    timeout: 3,
    memorySize: 128,
    architectures: ["arm64"],
    environment: {},
    buildMethod: "esbuild",
    buildProperties,
    properties: {},
  };
}

describe("SAM BuildProperties → esbuild options (aws-lambda-builders rules)", () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "build-map-"));
    mkdirSync(join(project, "src"));
    writeFileSync(join(project, "src/app.ts"), "export const handler = async () => 1;\n");
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ dependencies: { "left-pad": "1", "@scope/x": "2" } }),
    );
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("normalises property names like SAM CLI", () => {
    expect(snakeCase("OutExtension")).toBe("out_extension");
    expect(snakeCase("Sourcemap")).toBe("sourcemap");
    expect(snakeCase("MainFields")).toBe("main_fields");
  });

  it("applies Lambda Builders' defaults when the template is silent", () => {
    const options = esbuildOptionsFor(spec({ EntryPoints: ["src/app"] }), project, "/out");
    expect(options).toMatchObject({
      entryPoints: ["src/app.ts"],
      bundle: true,
      platform: "node",
      outdir: "/out",
      target: ["es2020"],
      format: "cjs",
      minify: true,
      absWorkingDir: project,
    });
  });

  it("maps every property kind", () => {
    const options = esbuildOptionsFor(
      spec({
        EntryPoints: ["src/app.ts"],
        Format: "esm",
        Target: "es2022,node22",
        Minify: false, // dropped: esbuild's default (no minification) applies
        Sourcemap: true,
        SourcesContent: "false",
        KeepNames: true,
        OutExtension: [".js=.mjs"],
        Banner: ["js=a=b"],
        MainFields: "module,main",
        Loader: [".node=file"],
        External: ["@aws-sdk/*"],
        Platform: "browser", // not configurable: ignored
        UseNpmCi: true, // not for esbuild: ignored
      }),
      project,
      "/out",
    );
    expect(options).toMatchObject({
      format: "esm",
      target: ["es2022", "node22"],
      sourcemap: true,
      sourcesContent: false,
      keepNames: true,
      outExtension: { ".js": ".mjs" },
      banner: { js: "a=b" },
      mainFields: ["module", "main"],
      loader: { ".node": "file" },
      external: ["@aws-sdk/*"],
      platform: "node",
    });
    expect(options.minify).toBeUndefined();
  });

  it("External ./node_modules/* marks every package.json dependency external", () => {
    const options = esbuildOptionsFor(
      spec({ EntryPoints: ["src/app.ts"], External: ["./node_modules/*", "other"] }),
      project,
      "/out",
    );
    expect(options.external).toEqual(["left-pad", "@scope/x"]);
  });

  it("rejects what it cannot translate faithfully", () => {
    expect(() =>
      esbuildOptionsFor(spec({ EntryPoints: ["src/app.ts"], Bogus: 1 }), project, "/o"),
    ).toThrow(/bogus/);
    expect(() => esbuildOptionsFor(spec({ EntryPoints: ["missing.ts"] }), project, "/o")).toThrow(
      /does not exist/,
    );
    expect(() => esbuildOptionsFor(spec({}), project, "/o")).toThrow(/EntryPoints/);
    expect(() => parseHandler("nodot")).toThrow();
    expect(parseHandler("dir/app.lambdaHandler")).toEqual({
      module: "dir/app",
      exportName: "lambdaHandler",
    });
  });

  it("refuses a Handler that does not name the emitted file or export", async () => {
    const template = (handler: string): CfnTemplate => ({
      Resources: {
        Fn: {
          Type: "AWS::Serverless::Function",
          Properties: { Handler: handler, CodeUri: "./", Runtime: "nodejs22.x" },
          Metadata: {
            BuildMethod: "esbuild",
            BuildProperties: {
              Format: "esm",
              OutExtension: [".js=.mjs"],
              EntryPoints: ["src/app.ts"],
            },
          },
        },
      },
    });
    const options = {
      projectRoot: project,
      outRoot: join(project, ".build"),
      logLevel: "silent" as const,
    };
    const ok = await buildFunction("Fn", { ...options, template: template("app.handler") });
    expect(ok.handlerFile).toBe(join(project, ".build/Fn/app.mjs"));
    await expect(
      buildFunction("Fn", { ...options, template: template("src/app.handler") }),
    ).rejects.toThrow(/names no file/);
    await expect(
      buildFunction("Fn", { ...options, template: template("app.other") }),
    ).rejects.toThrow(/does not export "other"/);
  });
});

describe("building template.yaml's functions", () => {
  const template = loadTemplate();
  let outRoot: string;
  let results: BuildResult[];

  beforeAll(async () => {
    outRoot = mkdtempSync(join(tmpdir(), "build-test-"));
    results = await buildAll({ outRoot, logLevel: "silent" });
  }, 120_000);
  afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

  it("builds every function into .build/<LogicalId>/ like sam build", () => {
    expect(results.map((r) => r.logicalId).sort()).toEqual(
      functionsOf(template)
        .map((f) => f.logicalId)
        .sort(),
    );
    for (const r of results) {
      expect(r.outDir).toBe(join(outRoot, r.logicalId));
      expect(dirname(r.handlerFile)).toBe(r.outDir);
      expect(r.handlerExport).toBe("handler");
    }
  });

  it.each(functionsOf(template).map((f) => [f.logicalId, f] as const))(
    "%s: a minified .mjs bundle with banner, source map and the AWS SDK inside",
    async (id, fn) => {
      const r = results.find((x) => x.logicalId === id);
      if (!r) throw new Error(`${id} was not built`);
      const entry = String((fn.buildProperties.EntryPoints as string[])[0]);
      const expectedName = `${basename(entry, ".ts")}.mjs`;
      expect(basename(r.handlerFile)).toBe(expectedName);
      expect(fn.handler).toBe(`${basename(entry, ".ts")}.handler`);

      const code = readFileSync(r.handlerFile, "utf8");
      expect(r.bytes).toBe(Buffer.byteLength(code));
      expect(code.startsWith(BANNER)).toBe(true);
      expect(code.trimEnd().endsWith(`//# sourceMappingURL=${expectedName}.map`)).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{[^}]*\bhandler\b/);
      // Minified: long lines, and far smaller than the same bundle without minification.
      expect(r.bytes / code.split("\n").length).toBeGreaterThan(500);
      const plain = await build({
        ...esbuildOptionsFor(fn, PROJECT_ROOT, join(outRoot, "plain", id)),
        minify: false,
        write: false,
        logLevel: "silent",
      });
      const plainBundle = plain.outputFiles.find((f) => f.path.endsWith(expectedName));
      expect(r.bytes).toBeLessThan(0.75 * (plainBundle?.contents.byteLength ?? 0));

      const map = `${r.handlerFile}.map`;
      expect(existsSync(map)).toBe(true);
      const parsedMap = JSON.parse(readFileSync(map, "utf8")) as {
        sources: string[];
        sourcesContent?: unknown;
      };
      expect(parsedMap.sources.some((s) => s.endsWith(entry))).toBe(true);
      expect(parsedMap.sourcesContent).toBeUndefined(); // SourcesContent "false"

      const outputs = Object.keys(r.metafile.outputs).map((o) => basename(o));
      expect(outputs.sort()).toEqual([expectedName, `${expectedName}.map`]);
      const inputs = Object.keys(r.metafile.inputs);
      expect(inputs.some((p) => p.includes("node_modules/@aws-sdk/"))).toBe(true);
      expect(
        inputs.some((p) => p.includes("node_modules/@aws-sdk/") && p.includes("/dist-es/")),
      ).toBe(true);
    },
  );
});

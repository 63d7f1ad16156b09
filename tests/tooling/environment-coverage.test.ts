import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FUNCTION_ENVIRONMENT } from "../../lib/config.ts";

const root = join(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"));
}

/** Variables the SDK itself defines and Lambda or the user sets; the template sets none of them. */
const AWS_STANDARD = new Set(["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"]);

describe("FUNCTION_ENVIRONMENT lists every variable the code reads", () => {
  const code = [...sources("lib"), ...sources("handlers")].join("\n");
  const declared = new Set<string>([
    ...FUNCTION_ENVIRONMENT.search,
    ...FUNCTION_ENVIRONMENT.scheduled,
  ]);

  it("every process.env.NAME in lib/ and handlers/ is declared (or the SDK's own)", () => {
    const read = [...code.matchAll(/process\.env\.([A-Z0-9_]+)/g)].map(
      (match) => match[1] as string,
    );
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((name) => !declared.has(name) && !AWS_STANDARD.has(name))).toEqual([]);
  });

  it("every name lib/config.ts reads by string is declared", () => {
    const config = readFileSync(join(root, "lib/config.ts"), "utf8");
    const read = [...config.matchAll(/\(env, "([A-Z0-9_]+)"/g)].map((match) => match[1] as string);
    expect(read.length).toBeGreaterThan(10);
    expect(read.filter((name) => !declared.has(name))).toEqual([]);
  });
});

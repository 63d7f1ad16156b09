import { createRequire } from "node:module";
import { cruise, type ICruiseResult, type IViolation } from "dependency-cruiser";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
/** The layers, written down once (.dependency-cruiser.cjs at the project root). */
const config = require("../../.dependency-cruiser.cjs");

function describeViolation(violation: IViolation): string {
  const path = violation.cycle?.map((step) => step.name).join(" → ");
  return `${violation.rule.name}: ${violation.from} → ${path ?? violation.to}`;
}

describe("lib/'s layers (.dependency-cruiser.cjs)", () => {
  it("every import in lib/ and handlers/ points down a layer, with no cycle (type imports count)", async () => {
    const reported = await cruise(["lib", "handlers"], {
      validate: true,
      ruleSet: { forbidden: config.forbidden },
      ...config.options,
    });
    const output = reported.output as ICruiseResult;
    expect(output.summary.totalCruised).toBeGreaterThan(40);
    expect(output.summary.violations.map(describeViolation)).toEqual([]);
  });
});

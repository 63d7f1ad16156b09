import { describe, expect, it } from "vitest";
import {
  createdResources,
  parameterErrors,
  parseOverrides,
} from "../../infra/template/deployment.ts";
import { parseTemplate } from "../../infra/template/template.ts";

const template = parseTemplate(`
Parameters:
  Mode: { Type: String, Default: A, AllowedValues: [A, B] }
  Name: { Type: String, Default: "", AllowedPattern: "^$|^[a-z]+$" }
  Size: { Type: Number, Default: 5, MinValue: 1, MaxValue: 10 }
  Audience: { Type: CommaDelimitedList, Default: "" }
  Required: { Type: String }
Rules:
  BNeedsName:
    RuleCondition: !Equals [!Ref Mode, B]
    Assertions:
      - Assert: !Not [!Equals [!Ref Name, ""]]
        AssertDescription: Mode B needs Name.
      - Assert: !Not [!Contains [!Ref Audience, ""]]
        AssertDescription: Mode B needs an Audience without empty entries.
Conditions:
  IsB: !Equals [!Ref Mode, B]
  IsBig: !Not [!Equals [!Ref Size, 5]]
  BigB: !And [!Condition IsB, !Condition IsBig]
Resources:
  Always: { Type: AWS::SNS::Topic }
  OnlyB: { Type: AWS::SNS::Topic, Condition: IsB }
  OnlyBigB: { Type: AWS::SNS::Topic, Condition: BigB }
`);

describe("parameterErrors", () => {
  it("accepts the defaults plus the values without one", () => {
    expect(parameterErrors(template, { Required: "x" })).toEqual([]);
  });

  it("names a parameter without a value, and one the template does not have", () => {
    expect(parameterErrors(template, { Nope: "1" })).toEqual([
      "Nope is no parameter of the template",
      "Required needs a value (it has no default)",
    ]);
  });

  it("checks AllowedValues, the whole value against AllowedPattern, and Number bounds", () => {
    expect(
      parameterErrors(template, { Required: "x", Mode: "C", Name: "abc1", Size: "11" }),
    ).toEqual([
      'Mode must be one of A, B (got "C")',
      'Name must match ^$|^[a-z]+$ (got "abc1")',
      "Size must be at most 10 (got 11)",
    ]);
    expect(parameterErrors(template, { Required: "x", Size: "0" })).toEqual([
      "Size must be at least 1 (got 0)",
    ]);
    expect(parameterErrors(template, { Required: "x", Size: "many" })).toEqual([
      'Size must be a number (got "many")',
    ]);
  });

  it("evaluates a rule's assertions only when its RuleCondition holds", () => {
    expect(parameterErrors(template, { Required: "x", Mode: "B" })).toEqual([
      "BNeedsName: Mode B needs Name.",
      "BNeedsName: Mode B needs an Audience without empty entries.",
    ]);
    expect(
      parameterErrors(template, { Required: "x", Mode: "B", Name: "n", Audience: "a,,b" }),
    ).toEqual(["BNeedsName: Mode B needs an Audience without empty entries."]);
    expect(
      parameterErrors(template, { Required: "x", Mode: "B", Name: "n", Audience: "a,b" }),
    ).toEqual([]);
  });
});

describe("createdResources", () => {
  it("keeps the resources whose Condition holds, conditions on conditions included", () => {
    expect(createdResources(template, { Required: "x" })).toEqual(["Always"]);
    expect(createdResources(template, { Required: "x", Mode: "B" })).toEqual(["Always", "OnlyB"]);
    expect(createdResources(template, { Required: "x", Mode: "B", Size: "7" })).toEqual([
      "Always",
      "OnlyB",
      "OnlyBigB",
    ]);
  });
});

describe("parseOverrides", () => {
  it("reads Key=Value as --parameter-overrides takes them, quotes dropped", () => {
    expect(parseOverrides(["A=1", 'B="two words"', "C=x=y", "D="])).toEqual({
      A: "1",
      B: "two words",
      C: "x=y",
      D: "",
    });
    expect(() => parseOverrides(["novalue"])).toThrow(/expected Key=Value/);
  });
});

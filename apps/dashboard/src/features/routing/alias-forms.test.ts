import type { AliasView } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import {
  aliasToForm,
  CreateAliasForm,
  EditAliasForm,
  emptyAliasForm,
  targetsSummary,
} from "./alias-forms.ts";

const a = "6f1b7a52-3c1e-4d6b-9a55-0c2f9e6d1a01";
const b = "0b6a1c9e-7f2d-4e8a-b3c4-5d6e7f8a9b0c";

function errors(result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  const out: Record<string, string[]> = {};
  for (const issue of result.error?.issues ?? []) {
    const path = issue.path.join(".");
    out[path] = [...(out[path] ?? []), issue.message];
  }
  return out;
}

describe("the alias form", () => {
  it("becomes the create input, targets in order with their weights", () => {
    const input = CreateAliasForm.parse({
      name: " support-bot ",
      kind: "chat",
      strategy: "weighted",
      targets: [
        { deploymentId: a, weight: "3" },
        { deploymentId: b, weight: "1" },
      ],
    });
    expect(input).toEqual({
      name: "support-bot",
      kind: "chat",
      strategy: "weighted",
      targets: [
        { deploymentId: a, weight: 3 },
        { deploymentId: b, weight: 1 },
      ],
    });
  });

  it("shows core's messages: a name, at least one target, weights not all 0, no repeats", () => {
    const empty = errors(CreateAliasForm.safeParse(emptyAliasForm));
    expect(empty.name).toContain("Give the alias a name");
    expect(empty.targets).toEqual(["Add at least one deployment"]);
    const zero = CreateAliasForm.safeParse({
      ...emptyAliasForm,
      name: "fast",
      strategy: "weighted",
      targets: [{ deploymentId: a, weight: "0" }],
    });
    expect(errors(zero).targets?.[0]).toMatch(/All weights are 0/);
    const twice = CreateAliasForm.safeParse({
      ...emptyAliasForm,
      name: "fast",
      targets: [
        { deploymentId: a, weight: "1" },
        { deploymentId: a, weight: "1" },
      ],
    });
    expect(errors(twice)["targets.1.deploymentId"]?.[0]).toMatch(/listed twice/);
  });

  it("reads a weight only when the alias is weighted", () => {
    const targets = [{ deploymentId: a, weight: "x" }];
    expect(errors(CreateAliasForm.safeParse({ ...emptyAliasForm, name: "p", targets }))).toEqual({});
    expect(
      errors(CreateAliasForm.safeParse({ ...emptyAliasForm, name: "w", strategy: "weighted", targets })),
    ).toEqual({ "targets.0.weight": ["Enter a whole number"] });
  });

  it("edits an alias as saved, targets by position, without its kind", () => {
    const alias: AliasView = {
      id: b,
      name: "fast",
      kind: "chat",
      strategy: "priority",
      targets: [
        { deploymentId: b, providerName: "p", upstreamModel: "m2", weight: 1, position: 1 },
        { deploymentId: a, providerName: "p", upstreamModel: "m1", weight: 2, position: 0 },
      ],
      keys: [],
      version: 2,
      createdAt: "2026-12-01T00:00:00.000Z",
      updatedAt: "2026-12-01T00:00:00.000Z",
    };
    const values = aliasToForm(alias);
    expect(values.targets.map((t) => t.deploymentId)).toEqual([a, b]);
    expect(EditAliasForm.parse(values)).toEqual({
      name: "fast",
      strategy: "priority",
      targets: [
        { deploymentId: a, weight: 2 },
        { deploymentId: b, weight: 1 },
      ],
    });
  });

  it("summarises the targets", () => {
    expect(targetsSummary(1)).toBe("1 deployment");
    expect(targetsSummary(2)).toBe("2 deployments");
  });
});

import { describe, expect, it } from "vitest";
import { unstorableTextMessage } from "../validation/text.ts";
import {
  CreateAliasInput,
  CreateDeploymentInput,
  DeploymentTimeouts,
  UpdateAliasInput,
  UpdateDeploymentInput,
} from "./inputs.ts";

const a = "11111111-1111-4111-8111-111111111111";
const b = "22222222-2222-4222-8222-222222222222";
const provider = "33333333-3333-4333-8333-333333333333";

/** The messages zod gives, keyed by the top-level field, as the tRPC error formatter reports them. */
function fieldErrors(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  const out: Record<string, string[]> = {};
  for (const issue of result.error?.issues ?? []) {
    const key = String(issue.path[0] ?? "");
    out[key] = [...(out[key] ?? []), issue.message];
  }
  return out;
}

const timeouts = {
  connectMs: 1000,
  firstByteMs: 5000,
  firstTokenMs: 8000,
  betweenChunksMs: 2000,
  totalMs: 60_000,
};

describe("CreateDeploymentInput", () => {
  it("takes a minimal deployment and trims its model name", () => {
    const parsed = CreateDeploymentInput.parse({
      providerId: provider,
      upstreamModel: "  gpt-4o ",
      kind: "chat",
    });
    expect(parsed).toEqual({ providerId: provider, upstreamModel: "gpt-4o", kind: "chat" });
  });

  it("refuses text Postgres cannot store, naming the field", () => {
    const r = CreateDeploymentInput.safeParse({
      providerId: provider,
      upstreamModel: "gpt\u0000",
      kind: "chat",
    });
    expect(fieldErrors(r)).toEqual({ upstreamModel: [unstorableTextMessage] });
    const region = CreateDeploymentInput.safeParse({
      providerId: provider,
      upstreamModel: "gpt",
      kind: "chat",
      region: "eu\uD800",
      tags: ["ok", "bad\u0000"],
    });
    expect(Object.keys(fieldErrors(region)).sort()).toEqual(["region", "tags"]);
  });

  it("refuses duplicate tags", () => {
    const r = CreateDeploymentInput.safeParse({
      providerId: provider,
      upstreamModel: "m",
      kind: "chat",
      tags: ["x", "x"],
    });
    expect(fieldErrors(r)).toEqual({ tags: ["Each tag only once"] });
  });
});

describe("DeploymentTimeouts", () => {
  it("takes timeouts each within the total, and null stream timeouts", () => {
    expect(DeploymentTimeouts.parse(timeouts)).toEqual(timeouts);
    expect(
      DeploymentTimeouts.parse({ ...timeouts, firstTokenMs: null, betweenChunksMs: null }).firstTokenMs,
    ).toBe(null);
  });

  it("refuses a timeout of zero, a negative or fractional one, and one over 10 minutes", () => {
    for (const bad of [0, -1, 1.5]) {
      const r = DeploymentTimeouts.safeParse({ ...timeouts, connectMs: bad });
      expect(fieldErrors(r).connectMs?.length).toBe(1);
    }
    expect(DeploymentTimeouts.safeParse({ ...timeouts, totalMs: 600_001 }).success).toBe(false);
    expect(DeploymentTimeouts.safeParse({ ...timeouts, totalMs: 600_000 }).success).toBe(true);
    expect(fieldErrors(DeploymentTimeouts.safeParse({ ...timeouts, betweenChunksMs: 0 }))).toEqual({
      betweenChunksMs: ["The between chunks timeout must be at least 1 ms"],
    });
  });

  it("refuses a timeout longer than the total, naming it", () => {
    const r = DeploymentTimeouts.safeParse({ ...timeouts, firstByteMs: 70_000 });
    expect(fieldErrors(r)).toEqual({
      firstByteMs: [
        "The first byte timeout (70000 ms) is longer than the total timeout (60000 ms): it could never fire",
      ],
    });
    const onCreate = CreateDeploymentInput.safeParse({
      providerId: provider,
      upstreamModel: "m",
      kind: "chat",
      timeouts: { ...timeouts, firstTokenMs: 90_000 },
    });
    expect(Object.keys(fieldErrors(onCreate))).toEqual(["timeouts"]);
  });
});

describe("UpdateDeploymentInput", () => {
  it("needs an id and version; every other field is optional", () => {
    expect(UpdateDeploymentInput.parse({ id: a, version: 3 })).toEqual({ id: a, version: 3 });
    expect(UpdateDeploymentInput.safeParse({ id: a }).success).toBe(false);
    expect(
      UpdateDeploymentInput.safeParse({
        id: a,
        version: 1,
        pricing: { inputMicrosPerMTok: -1, outputMicrosPerMTok: 0 },
      }).success,
    ).toBe(false);
  });
});

describe("CreateAliasInput", () => {
  const alias = {
    name: "fast",
    kind: "chat",
    strategy: "weighted",
    targets: [
      { deploymentId: a, weight: 3 },
      { deploymentId: b, weight: 0 },
    ],
  };

  it("takes targets in order with their weights", () => {
    expect(CreateAliasInput.parse(alias).targets).toEqual(alias.targets);
  });

  it("refuses all-zero weights under weighted, but not under priority", () => {
    const zero = { ...alias, targets: alias.targets.map((t) => ({ ...t, weight: 0 })) };
    expect(fieldErrors(CreateAliasInput.safeParse(zero))).toEqual({
      targets: ["All weights are 0: with weighted routing at least one deployment needs a weight above 0"],
    });
    expect(CreateAliasInput.safeParse({ ...zero, strategy: "priority" }).success).toBe(true);
  });

  it("refuses a deployment listed twice, none, or more than 20", () => {
    const twice = {
      ...alias,
      targets: [
        { deploymentId: a, weight: 1 },
        { deploymentId: a, weight: 2 },
      ],
    };
    expect(fieldErrors(CreateAliasInput.safeParse(twice))).toEqual({
      targets: ["Deployment 2 is listed twice: each deployment once per alias"],
    });
    expect(fieldErrors(CreateAliasInput.safeParse({ ...alias, targets: [] }))).toEqual({
      targets: ["Add at least one deployment"],
    });
    const many = Array.from({ length: 21 }, (_, i) => ({
      deploymentId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      weight: 1,
    }));
    expect(fieldErrors(CreateAliasInput.safeParse({ ...alias, targets: many }))).toEqual({
      targets: ["At most 20 deployments per alias"],
    });
  });

  it("refuses weights outside 0..1000", () => {
    for (const weight of [-1, 1001, 0.5]) {
      const r = CreateAliasInput.safeParse({ ...alias, targets: [{ deploymentId: a, weight }] });
      expect(Object.keys(fieldErrors(r))).toEqual(["targets"]);
    }
    expect(
      CreateAliasInput.safeParse({ ...alias, targets: [{ deploymentId: a, weight: 1000 }] }).success,
    ).toBe(true);
  });

  it("refuses a name with spaces or unstorable text, and an unknown strategy", () => {
    expect(fieldErrors(CreateAliasInput.safeParse({ ...alias, name: "my model" }))).toEqual({
      name: ["No spaces: clients send this name as `model`"],
    });
    // An empty name is told one thing: what is missing.
    expect(fieldErrors(CreateAliasInput.safeParse({ ...alias, name: "  " }))).toEqual({
      name: ["Give the alias a name"],
    });
    expect(fieldErrors(CreateAliasInput.safeParse({ ...alias, name: "m\u0000" }))).toEqual({
      name: [unstorableTextMessage],
    });
    expect(Object.keys(fieldErrors(CreateAliasInput.safeParse({ ...alias, strategy: "latency" })))).toEqual([
      "strategy",
    ]);
  });
});

describe("UpdateAliasInput", () => {
  it("applies the same target rules, and keeps the kind out", () => {
    const base = {
      id: a,
      version: 1,
      name: "fast",
      strategy: "weighted",
      targets: [{ deploymentId: b, weight: 0 }],
    };
    expect(UpdateAliasInput.safeParse(base).success).toBe(false);
    const ok = UpdateAliasInput.parse({
      ...base,
      kind: "embedding",
      targets: [{ deploymentId: b, weight: 1 }],
    });
    expect(ok).not.toHaveProperty("kind");
  });
});

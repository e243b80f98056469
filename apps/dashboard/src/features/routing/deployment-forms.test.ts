import type { DeploymentView } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import {
  AddDeploymentsForm,
  type AddDeploymentsFormValues,
  deploymentToForm,
  EditDeploymentForm,
  emptyAddDeploymentsForm,
} from "./deployment-forms.ts";

const providerId = "6f1b7a52-3c1e-4d6b-9a55-0c2f9e6d1a01";

function errors(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  const out: Record<string, string[]> = {};
  for (const issue of result.error?.issues ?? []) {
    const path = issue.path.join(".");
    out[path] = [...(out[path] ?? []), issue.message];
  }
  return out;
}

const filled: AddDeploymentsFormValues = {
  ...emptyAddDeploymentsForm,
  providerId,
  models: ["mock-gpt", "mock-gpt-mini"],
  typedModel: " custom-model ",
  contextWindow: "128000",
  region: " eu-west ",
  tags: "gpu, batch, gpu,",
  inputPrice: "2.50",
  outputPrice: "$10",
};

describe("the add deployments form", () => {
  it("becomes one create input per ticked or typed model, with the prices in micro-dollars", () => {
    const result = AddDeploymentsForm.safeParse(filled);
    expect(result.success).toBe(true);
    const inputs = result.data!;
    expect(inputs.map((i) => i.upstreamModel)).toEqual(["mock-gpt", "mock-gpt-mini", "custom-model"]);
    expect(inputs[0]).toEqual({
      providerId,
      upstreamModel: "mock-gpt",
      kind: "chat",
      contextWindow: 128_000,
      maxOutputTokens: null,
      region: "eu-west",
      tags: ["gpu", "batch"],
      timeouts: {
        connectMs: 5000,
        firstByteMs: 60_000,
        firstTokenMs: null,
        betweenChunksMs: null,
        totalMs: 600_000,
      },
      pricing: { inputMicrosPerMTok: 2_500_000, outputMicrosPerMTok: 10_000_000 },
    });
  });

  it("asks for a provider, then for a model", () => {
    expect(errors(AddDeploymentsForm.safeParse(emptyAddDeploymentsForm))).toEqual({
      providerId: ["Choose a provider"],
    });
    expect(errors(AddDeploymentsForm.safeParse({ ...emptyAddDeploymentsForm, providerId }))).toEqual({
      typedModel: ["Tick a discovered model or type the upstream model's name"],
    });
  });

  it("says what a box cannot hold under that box, and core's rules once for all the models", () => {
    const result = AddDeploymentsForm.safeParse({
      ...filled,
      contextWindow: "lots",
      inputPrice: "1.2.3",
      timeouts: { ...filled.timeouts, firstTokenMs: "700000" },
    });
    const e = errors(result);
    expect(e.contextWindow).toEqual(["Enter a whole number, or leave it empty"]);
    expect(e.inputPrice?.[0]).toMatch(/Enter a price in dollars/);
    // Core's own message, said once although three models share the settings.
    expect(e["timeouts.firstTokenMs"]).toEqual([
      "The first token timeout must be at most 600000 ms (10 minutes)",
      "The first token timeout (700000 ms) is longer than the total timeout (600000 ms): it could never fire",
    ]);
  });
});

const view: DeploymentView = {
  id: "0b6a1c9e-7f2d-4e8a-b3c4-5d6e7f8a9b0c",
  providerId,
  providerName: "mock-provider",
  upstreamModel: "mock-gpt",
  kind: "chat",
  contextWindow: 8192,
  maxOutputTokens: null,
  region: null,
  tags: ["a", "b"],
  timeouts: {
    connectMs: 1000,
    firstByteMs: 2000,
    firstTokenMs: 3000,
    betweenChunksMs: null,
    totalMs: 60_000,
  },
  pricing: { inputMicrosPerMTok: 150_000, outputMicrosPerMTok: 600_000 },
  usedBy: [],
  version: 3,
  createdAt: "2026-12-01T00:00:00.000Z",
  updatedAt: "2026-12-01T00:00:00.000Z",
};

describe("the edit deployment form", () => {
  it("shows a deployment as typed, and reads back to the same settings", () => {
    const values = deploymentToForm(view);
    expect(values.inputPrice).toBe("0.15");
    expect(values.tags).toBe("a, b");
    expect(values.timeouts.betweenChunksMs).toBe("");
    expect(EditDeploymentForm.parse(values)).toEqual({
      kind: "chat",
      contextWindow: 8192,
      maxOutputTokens: null,
      region: null,
      tags: ["a", "b"],
      timeouts: view.timeouts,
      pricing: view.pricing,
    });
  });

  it("refuses a timeout longer than the total with core's message, under that timeout", () => {
    const values = deploymentToForm(view);
    const e = errors(
      EditDeploymentForm.safeParse({ ...values, timeouts: { ...values.timeouts, connectMs: "90000" } }),
    );
    expect(e["timeouts.connectMs"]?.[0]).toMatch(/longer than the total timeout/);
  });
});

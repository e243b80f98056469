import { describe, expect, it } from "vitest";
import { baseUrlProblem, CreateProviderInput, RotateProviderCredentialInput } from "./inputs.ts";

describe("provider base URLs", () => {
  it("accepts an OpenAI-compatible URL ending in /v1, with or without a trailing slash", () => {
    expect(baseUrlProblem("openai", "https://api.openai.com/v1")).toBeNull();
    expect(baseUrlProblem("openai", "http://vllm:8000/v1")).toBeNull();
    const parsed = CreateProviderInput.parse({
      name: " vLLM ",
      kind: "openai",
      baseUrl: "http://vllm:8000/v1///",
    });
    expect(parsed).toEqual({ name: "vLLM", kind: "openai", baseUrl: "http://vllm:8000/v1" });
  });

  it("says what is wrong with a bad one", () => {
    expect(baseUrlProblem("openai", "https://api.openai.com")).toMatch(/must end with \/v1/);
    expect(baseUrlProblem("anthropic", "https://api.anthropic.com/v1")).toMatch(/without \/v1/);
    expect(baseUrlProblem("anthropic", "https://api.anthropic.com")).toBeNull();
    expect(baseUrlProblem("openai", "not a url")).toMatch(/full URL/);
    expect(baseUrlProblem("openai", "file:///etc/v1")).toMatch(/http:\/\/ or https:\/\//);
    expect(baseUrlProblem("openai", "https://user:pw@api.example.com/v1")).toMatch(/no credentials/);
    expect(baseUrlProblem("openai", "https://api.example.com/v1?x=1")).toMatch(/no query string/);
  });

  it("reports the problem on the baseUrl field", () => {
    const r = CreateProviderInput.safeParse({
      name: "x",
      kind: "openai",
      baseUrl: "https://api.example.com",
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["baseUrl"]);
  });
});

describe("credential rotation input", () => {
  it("takes an overlap of 0 to 10080 whole minutes and a trimmed key", () => {
    const id = "6f1c2b8e-3c1d-4e4a-9b7a-1f2e3d4c5b6a";
    expect(RotateProviderCredentialInput.parse({ id, apiKey: " sk-x ", overlapMinutes: 0 }).apiKey).toBe(
      "sk-x",
    );
    expect(RotateProviderCredentialInput.safeParse({ id, apiKey: "k", overlapMinutes: 10_081 }).success).toBe(
      false,
    );
    expect(RotateProviderCredentialInput.safeParse({ id, apiKey: "k", overlapMinutes: 1.5 }).success).toBe(
      false,
    );
    expect(RotateProviderCredentialInput.safeParse({ id, apiKey: "  ", overlapMinutes: 5 }).success).toBe(
      false,
    );
  });
});

import { describe, expect, it } from "vitest";
import { baseUrlProblem, CreateProviderInput, RotateProviderCredentialInput } from "./inputs.ts";

const outside = { inCluster: false };
const inCluster = { inCluster: true };

describe("provider base URLs", () => {
  it("accepts an OpenAI-compatible URL ending in /v1, with or without a trailing slash", () => {
    expect(baseUrlProblem("openai", "https://api.openai.com/v1", outside)).toBeNull();
    expect(baseUrlProblem("openai", "http://vllm:8000/v1", inCluster)).toBeNull();
    const parsed = CreateProviderInput.parse({
      name: " vLLM ",
      kind: "openai",
      baseUrl: "http://vllm:8000/v1///",
      inCluster: true,
    });
    expect(parsed).toEqual({ name: "vLLM", kind: "openai", baseUrl: "http://vllm:8000/v1", inCluster: true });
  });

  it("says what is wrong with a bad one", () => {
    expect(baseUrlProblem("openai", "https://api.openai.com", outside)).toMatch(/must end with \/v1/);
    expect(baseUrlProblem("anthropic", "https://api.anthropic.com/v1", outside)).toMatch(/without \/v1/);
    expect(baseUrlProblem("anthropic", "https://api.anthropic.com", outside)).toBeNull();
    expect(baseUrlProblem("openai", "not a url", outside)).toMatch(/full URL/);
    expect(baseUrlProblem("openai", "file:///etc/v1", outside)).toMatch(/http:\/\/ or https:\/\//);
    expect(baseUrlProblem("openai", "https://user:pw@api.example.com/v1", outside)).toMatch(/no credentials/);
    expect(baseUrlProblem("openai", "https://api.example.com/v1?x=1", outside)).toMatch(/no query string/);
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

describe("where a provider may be", () => {
  it("never at a metadata, link-local or unroutable address, in-cluster or not", () => {
    for (const url of [
      "http://169.254.169.254/v1",
      "https://169.254.169.254/v1",
      "http://2852039166/v1",
      "http://[::ffff:169.254.169.254]/v1",
      "http://100.100.100.200/v1",
      "http://[fd00:ec2::254]/v1",
      "http://metadata.google.internal/v1",
      "https://metadata.google.internal./v1",
      "http://169.254.10.1:8000/v1",
      "http://[fe80::1]:8000/v1",
      "http://0.0.0.0:8000/v1",
      "http://[::]:8000/v1",
    ]) {
      for (const reach of [outside, inCluster]) {
        expect(baseUrlProblem("openai", url, reach), `${url} ${JSON.stringify(reach)}`).toMatch(
          /metadata|link-local|no single host/,
        );
      }
    }
  });

  it("at loopback and private addresses only when in-cluster", () => {
    for (const url of [
      "http://127.0.0.1:8090/v1",
      "https://127.0.0.1:8443/v1",
      "http://[::1]:8000/v1",
      "http://localhost:8000/v1",
      "https://10.0.0.5/v1",
      "http://172.16.3.4:8000/v1",
      "http://192.168.1.20:8000/v1",
      "https://[fd12::5]/v1",
    ]) {
      expect(baseUrlProblem("openai", url, outside), url).toMatch(/private or loopback address.*In-cluster/);
      expect(baseUrlProblem("openai", url, inCluster), url).toBeNull();
    }
  });

  it("over http:// only when in-cluster, and never to a public address", () => {
    expect(baseUrlProblem("openai", "http://vllm.internal:8000/v1", outside)).toMatch(
      /Use https:\/\/.*in the clear/,
    );
    expect(baseUrlProblem("openai", "http://api.example.com/v1", outside)).toMatch(/Use https:\/\//);
    expect(baseUrlProblem("openai", "http://vllm.internal:8000/v1", inCluster)).toBeNull();
    expect(baseUrlProblem("openai", "http://8.8.8.8/v1", inCluster)).toMatch(/public address/);
    expect(baseUrlProblem("openai", "https://8.8.8.8/v1", outside)).toBeNull();
    expect(baseUrlProblem("openai", "https://api.example.com/v1", inCluster)).toBeNull();
  });

  it("is not in-cluster unless the admin says so", () => {
    const r = CreateProviderInput.safeParse({
      name: "x",
      kind: "openai",
      baseUrl: "http://127.0.0.1:8090/v1",
    });
    expect(r.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["baseUrl", expect.stringMatching(/In-cluster/)],
    ]);
    expect(
      CreateProviderInput.parse({ name: "x", kind: "openai", baseUrl: "https://a.example/v1" }),
    ).toMatchObject({
      inCluster: false,
    });
  });
});

describe("provider text fields", () => {
  it("refuse NUL characters and unpaired surrogates on the field", () => {
    const r = CreateProviderInput.safeParse({
      name: "bad\u0000name",
      kind: "openai",
      baseUrl: "https://api.example.com/v1\ud800",
      apiKey: "sk-\u0000",
    });
    expect(r.error?.issues.map((i) => i.path[0]).sort()).toEqual(["apiKey", "baseUrl", "name"]);
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

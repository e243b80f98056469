import { describe, expect, it } from "vitest";
import { modelIds } from "./discover-deployments.ts";

describe("modelIds", () => {
  it("reads the ids of an OpenAI- or Anthropic-style model list, de-duplicated and sorted", () => {
    const body = JSON.stringify({
      data: [
        { id: "gpt-4o" },
        { id: "claude-3-5-sonnet-20241022", type: "model" },
        { id: "gpt-4o" },
        { id: "org/llama-3.1:8b" },
      ],
    });
    expect(modelIds(body)).toEqual(["claude-3-5-sonnet-20241022", "gpt-4o", "org/llama-3.1:8b"]);
  });

  it("never passes on text that is no model name, nor a body that is no model list", () => {
    const body = JSON.stringify({
      data: [
        { id: "ok" },
        { id: "<b>hi</b>" },
        { id: "two words" },
        { id: "" },
        { id: 42 },
        null,
        { id: "x".repeat(201) },
      ],
    });
    expect(modelIds(body)).toEqual(["ok"]);
    expect(modelIds("<html>internal admin page</html>")).toEqual([]);
    expect(modelIds(JSON.stringify({ error: { message: "secret" } }))).toEqual([]);
  });
});

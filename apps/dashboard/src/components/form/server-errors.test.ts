import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { describeError } from "../../lib/errors.ts";
import { isAlreadyCreated, isVersionConflict, serverProblems } from "./server-errors.ts";

function serverError(code: string, message: string, fieldErrors: Record<string, string[]> | null) {
  return new TRPCClientError(message, {
    result: { error: { code: -32600, message, data: { code, httpStatus: 400, fieldErrors } } },
  });
}

describe("serverProblems", () => {
  it("shows nothing when the save has not failed", () => {
    expect(serverProblems(null, ["name"])).toEqual({ fieldErrors: {}, general: undefined });
  });

  it("places field errors under the form's fields and raises no alert", () => {
    const error = serverError("BAD_REQUEST", "Invalid input", { name: ["A key with this name exists"] });
    expect(serverProblems(error, ["name", "owner"])).toEqual({
      fieldErrors: { name: ["A key with this name exists"] },
      general: undefined,
    });
  });

  it("says in the alert what names no field of the form", () => {
    const error = serverError("BAD_REQUEST", "Invalid input", {
      name: ["Too long"],
      id: ["Unknown key"],
    });
    const problems = serverProblems(error, ["name"]);
    expect(problems.fieldErrors).toEqual({ name: ["Too long"] });
    expect(problems.general?.message).toBe("Unknown key");
  });

  it("puts a failure without field errors in the alert", () => {
    const problems = serverProblems(serverError("FORBIDDEN", "Not allowed", null), ["name"]);
    expect(problems.general?.message).toBe("Not allowed");
  });
});

describe("isVersionConflict", () => {
  it("is a 409 that names no field", () => {
    expect(isVersionConflict(describeError(serverError("CONFLICT", "Changed by someone", null)))).toBe(true);
    expect(isVersionConflict(describeError(serverError("CONFLICT", "x", { name: ["taken"] })))).toBe(false);
    expect(isVersionConflict(undefined)).toBe(false);
  });
});

describe("isAlreadyCreated", () => {
  it("is the server's answer to a repeated idempotency key", () => {
    expect(isAlreadyCreated(serverError("CONFLICT", "Already created: this dialog's key exists", null))).toBe(
      true,
    );
    expect(isAlreadyCreated(serverError("CONFLICT", "Changed by someone", null))).toBe(false);
  });
});

import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { formErrors, isVersionConflict } from "./form-errors.ts";

function serverError(code: string, message: string, fieldErrors: Record<string, string[]> | null) {
  return new TRPCClientError(message, {
    result: { error: { code: -32600, message, data: { code, httpStatus: 400, fieldErrors } } },
  });
}

describe("formErrors", () => {
  it("shows nothing when the save has not failed", () => {
    expect(formErrors(null, {})).toEqual({
      serverError: undefined,
      fieldErrors: {},
      generalError: undefined,
    });
    expect(formErrors(undefined, { name: ["Required"] }).fieldErrors).toEqual({ name: ["Required"] });
  });

  it("puts the server's field errors under their fields, without a general alert", () => {
    const errors = formErrors(serverError("BAD_REQUEST", "Invalid", { owner: ["Unknown team"] }), {});
    expect(errors.fieldErrors).toEqual({ owner: ["Unknown team"] });
    expect(errors.serverError?.message).toBe("Invalid");
    expect(errors.generalError).toBeUndefined();
  });

  it("lets the client's own checks win over the server's for the same field", () => {
    const errors = formErrors(serverError("BAD_REQUEST", "Invalid", { name: ["server"], tags: ["x"] }), {
      name: ["client"],
    });
    expect(errors.fieldErrors).toEqual({ name: ["client"], tags: ["x"] });
  });

  it("raises an error that names no field as a general alert", () => {
    const errors = formErrors(serverError("FORBIDDEN", "Not allowed", null), {});
    expect(errors.generalError?.message).toBe("Not allowed");
    expect(errors.fieldErrors).toEqual({});
  });

  it("treats an error that is not the server's as general", () => {
    expect(formErrors(new Error("boom"), {}).generalError?.message).toBe("boom");
  });
});

describe("isVersionConflict", () => {
  it("is a 409 that names no field", () => {
    expect(
      isVersionConflict(formErrors(serverError("CONFLICT", "Saved by someone else", null), {}).serverError),
    ).toBe(true);
  });

  it("is not a 409 about a field (a name already taken) nor another error", () => {
    const taken = serverError("CONFLICT", "Taken", { name: ["A provider named x already exists"] });
    expect(isVersionConflict(formErrors(taken, {}).serverError)).toBe(false);
    expect(isVersionConflict(formErrors(serverError("NOT_FOUND", "Gone", null), {}).serverError)).toBe(false);
    expect(isVersionConflict(undefined)).toBe(false);
  });
});

import type { KeyView } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import {
  CreateKeyForm,
  emptyKeyForm,
  fromLocalInput,
  type KeyFormValues,
  keyToForm,
  toCreateInput,
  toLocalInput,
  toUpdateInput,
  UpdateKeyForm,
} from "./key-form-values.ts";

const teamId = "6f1b7a52-3c1e-4d6b-9a55-0c2f9e6d1a01";
const keyId = "0b6a1c9e-7f2d-4e8a-b3c4-5d6e7f8a9b0c";
const filled: KeyFormValues = {
  ...emptyKeyForm,
  name: "  checkout ",
  owner: `team:${teamId}`,
  allowedModels: ["mock-gpt"],
  rpm: "60",
  tpm: "",
  tags: "prod, checkout, prod,",
  metadata: [
    { key: "service", value: "checkout" },
    { key: "", value: "" },
  ],
};

function fieldErrors(result: ReturnType<typeof toCreateInput>) {
  return result.ok ? {} : result.fieldErrors;
}

describe("the create form", () => {
  it("becomes the create input: trimmed name, numbers, unique tags, metadata without blank rows", () => {
    const result = toCreateInput(filled);
    expect(result).toEqual({
      ok: true,
      input: expect.objectContaining({
        name: "checkout",
        owner: { type: "team", id: teamId },
        allowedModels: ["mock-gpt"],
        rpm: 60,
        tpm: null,
        expiresAt: null,
        tags: ["prod", "checkout"],
        metadata: { service: "checkout" },
        rotationDays: null,
      }),
    });
  });

  it("asks for a name and an owner, with the server's messages", () => {
    const errors = fieldErrors(toCreateInput(emptyKeyForm));
    expect(errors.name).toEqual(["Give the key a name"]);
    expect(errors.owner?.[0]).toMatch(/Choose the user or team/);
  });

  it("refuses limits that are not whole numbers, and zero", () => {
    expect(fieldErrors(toCreateInput({ ...filled, rpm: "1.5", tpm: "lots" }))).toMatchObject({
      rpm: ["Enter a whole number"],
      tpm: ["Enter a whole number"],
    });
    expect(fieldErrors(toCreateInput({ ...filled, rpm: "0" })).rpm?.[0]).toMatch(/at least 1/);
  });

  it("shows the form's and the schema's errors together", () => {
    const errors = fieldErrors(toCreateInput({ ...filled, name: "", rpm: "x" }));
    expect(Object.keys(errors).sort()).toEqual(["name", "rpm"]);
  });

  it("refuses a repeated or missing metadata key", () => {
    const twice = [
      { key: "a", value: "1" },
      { key: "a", value: "2" },
    ];
    expect(fieldErrors(toCreateInput({ ...filled, metadata: twice })).metadata).toEqual([
      'The metadata key "a" appears twice',
    ]);
    expect(fieldErrors(toCreateInput({ ...filled, metadata: [{ key: " ", value: "x" }] })).metadata).toEqual([
      "Every metadata value needs a key",
    ]);
  });

  it("refuses an expiry in the past", () => {
    const errors = fieldErrors(toCreateInput({ ...filled, expiresAt: "2001-01-01T00:00" }));
    expect(errors.expiresAt?.[0]).toMatch(/future/);
  });

  it("sends the rotation policy only when it is switched on, and needs its webhook", () => {
    const off = toCreateInput({ ...filled, rotationDays: "7", notifyWebhookUrl: "https://x.example/h" });
    expect(off.ok && off.input.rotationDays).toBe(null);
    const noHook = toCreateInput({ ...filled, rotationEnabled: true, rotationDays: "7" });
    expect(fieldErrors(noHook).notifyWebhookUrl?.[0]).toMatch(/webhook/);
    // Said alongside other errors too, not only once everything else is right.
    const both = fieldErrors(toCreateInput({ ...emptyKeyForm, rotationEnabled: true }));
    expect(Object.keys(both)).toEqual(expect.arrayContaining(["name", "owner", "notifyWebhookUrl"]));
    const on = toCreateInput({
      ...filled,
      rotationEnabled: true,
      rotationDays: "7",
      rotationGraceMinutes: "0",
      notifyWebhookUrl: "https://hooks.example.com/k",
    });
    expect(on.ok && on.input).toMatchObject({
      rotationDays: 7,
      rotationGraceMinutes: 0,
      notifyWebhookUrl: "https://hooks.example.com/k",
    });
  });
});

describe("the edit form", () => {
  const key: KeyView = {
    id: keyId,
    name: "checkout",
    owner: { type: "team", id: teamId, name: "Platform" },
    allowedModels: [],
    rpm: 100,
    tpm: null,
    tags: ["prod"],
    metadata: { service: "checkout" },
    createdAt: "2030-01-01T00:00:00.000Z",
    lastUsedAt: null,
    expiresAt: "2031-01-01T00:00:00.000Z",
    revokedAt: null,
    rotation: { days: null, graceMinutes: 60, nextAt: null, notifyWebhookUrl: null },
    secrets: [{ prefix: "sk-sy-abcdef", createdAt: "2030-01-01T00:00:00.000Z", validUntil: null }],
    version: 3,
  };

  it("round-trips a key unchanged, with the version it was read at", () => {
    const result = toUpdateInput(keyToForm(key), key);
    expect(result).toEqual({
      ok: true,
      input: {
        id: keyId,
        version: 3,
        name: "checkout",
        allowedModels: [],
        rpm: 100,
        tpm: null,
        expiresAt: "2031-01-01T00:00:00.000Z",
        tags: ["prod"],
        metadata: { service: "checkout" },
        rotationDays: null,
        rotationGraceMinutes: null,
        notifyWebhookUrl: null,
      },
    });
  });

  it("clears a limit that is emptied", () => {
    const result = toUpdateInput({ ...keyToForm(key), rpm: "" }, key);
    expect(result.ok && result.input.rpm).toBe(null);
  });
});

describe("datetime-local values", () => {
  it("convert to an instant and back in the browser's time zone", () => {
    const iso = fromLocalInput("2031-03-04T05:06");
    expect(iso).not.toBeNull();
    expect(toLocalInput(iso)).toBe("2031-03-04T05:06");
    expect(fromLocalInput("not a date")).toBeNull();
  });
});

describe("the form schemas (the dialogs' resolvers)", () => {
  it("turn valid values into core's input", () => {
    const parsed = CreateKeyForm.safeParse(filled);
    expect(parsed.success && parsed.data.name).toBe("checkout");
  });

  it("report every field's error at the field's path, with core's messages", () => {
    const parsed = CreateKeyForm.safeParse({ ...emptyKeyForm, rpm: "x" });
    expect(parsed.success).toBe(false);
    const byField = Object.fromEntries((parsed.error?.issues ?? []).map((i) => [i.path[0], i.message]));
    expect(byField).toMatchObject({ name: "Give the key a name", rpm: "Enter a whole number" });
    expect(byField.owner).toMatch(/Choose the user or team/);
  });

  it("leave the id and version to the edit dialog", () => {
    const parsed = UpdateKeyForm.safeParse({ ...emptyKeyForm, name: "renamed" });
    expect(parsed.success && parsed.data).toMatchObject({ name: "renamed", rpm: null });
  });
});

import { describe, expect, it } from "vitest";
import {
  auditActionLabel,
  auditActionLabels,
  auditActions,
  currentAuditAction,
  legacyAuditActions,
  storedAuditActionNames,
} from "./actions.ts";

describe("audit actions", () => {
  it("are all named <target>.<past tense> and each has a label", () => {
    for (const { action, label } of auditActions) {
      expect(action).toMatch(/^[a-z]+\.[a-z_]+(ed|ed_in|ed_out|failed)$/);
      expect(label.length).toBeGreaterThan(0);
    }
    expect(auditActions.map((a) => a.action)).toEqual(Object.keys(auditActionLabels));
  });

  it("map every old name to an action of today, and only old names are mapped", () => {
    for (const [old, now] of Object.entries(legacyAuditActions)) {
      expect(Object.keys(auditActionLabels)).toContain(now);
      expect(Object.keys(auditActionLabels)).not.toContain(old);
    }
    expect(currentAuditAction("providers.create")).toBe("provider.created");
    expect(currentAuditAction("auth.login")).toBe("user.signed_in");
    expect(currentAuditAction("key.created")).toBe("key.created");
    // A name from a newer release is shown as it is, not dropped.
    expect(currentAuditAction("budget.raised")).toBe("budget.raised");
  });

  it("find an action under its new and its old names, whichever is asked for", () => {
    expect(storedAuditActionNames("provider.created").sort()).toEqual([
      "provider.created",
      "providers.create",
    ]);
    expect(storedAuditActionNames("auth.logout").sort()).toEqual(["auth.logout", "user.signed_out"]);
    expect(storedAuditActionNames("key.rotated")).toEqual(["key.rotated"]);
  });

  it("label old entries as their action of today", () => {
    expect(auditActionLabel("auth.login_failed")).toBe("Sign-in failed");
    expect(auditActionLabel("user.sign_in_failed")).toBe("Sign-in failed");
    expect(auditActionLabel("something.else")).toBe("something.else");
  });
});

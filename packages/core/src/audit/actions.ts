/**
 * Every action the audit log records, named `<target>.<past tense>`, with the label the Audit page
 * shows. The log is append-only, so entries written under the names used before this scheme keep
 * them; `legacyAuditActions` maps those to today's names for filtering and display.
 */

/** Each action and its label, in the order the filter lists them. */
export const auditActionLabels = {
  "key.created": "Key created",
  "key.updated": "Key updated",
  "key.rotated": "Key rotated",
  "key.revoked": "Key revoked",
  "key.rotation_webhook_delivered": "Rotated secret delivered to webhook",
  "key.rotation_webhook_failed": "Rotated secret not delivered to webhook",
  "provider.created": "Provider created",
  "provider.updated": "Provider updated",
  "provider.deleted": "Provider deleted",
  "provider.credential_rotated": "Provider credential rotated",
  "provider.credential_overlap_ended": "Previous provider credential retired",
  "provider.tested": "Provider connection tested",
  "provider.credentials_reencrypted": "Provider credentials re-encrypted",
  "provider.models_listed": "Provider models listed",
  "deployment.created": "Deployment created",
  "deployment.updated": "Deployment updated",
  "deployment.deleted": "Deployment deleted",
  "alias.created": "Alias created",
  "alias.updated": "Alias updated",
  "alias.deleted": "Alias deleted",
  "user.signed_in": "Signed in",
  "user.sign_in_failed": "Sign-in failed",
  "user.signed_out": "Signed out",
  "user.password_changed": "Password changed",
  "user.password_change_failed": "Password change failed",
  "token.created": "API token created",
  "token.revoked": "API token revoked",
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof auditActionLabels;

/** The actions with their labels, as the Audit page's filter offers them. */
export const auditActions: readonly { action: AuditAction; label: string }[] = Object.entries(
  auditActionLabels,
).map(([action, label]) => ({ action: action as AuditAction, label }));

/** Names written before the `<target>.<past tense>` scheme, and the action each one is today. */
export const legacyAuditActions = {
  "providers.create": "provider.created",
  "providers.update": "provider.updated",
  "providers.delete": "provider.deleted",
  "providers.rotate_credential": "provider.credential_rotated",
  "providers.credential_overlap_ended": "provider.credential_overlap_ended",
  "providers.test": "provider.tested",
  "providers.reencrypt": "provider.credentials_reencrypted",
  "auth.login": "user.signed_in",
  "auth.login_failed": "user.sign_in_failed",
  "auth.logout": "user.signed_out",
  "auth.password_changed": "user.password_changed",
  "auth.password_change_failed": "user.password_change_failed",
} as const satisfies Record<string, AuditAction>;

/** Sign-in, sign-out and failed sign-in: what the Audit page's "hide sign-ins" leaves out. */
export const signInAuditActions = [
  "user.signed_in",
  "user.sign_in_failed",
  "user.signed_out",
] as const satisfies readonly AuditAction[];

export function isAuditAction(name: string): name is AuditAction {
  return Object.hasOwn(auditActionLabels, name);
}

/** Today's name of a stored action: old names mapped, unknown ones (a newer release's) kept as they are. */
export function currentAuditAction(stored: string): string {
  return Object.hasOwn(legacyAuditActions, stored)
    ? legacyAuditActions[stored as keyof typeof legacyAuditActions]
    : stored;
}

/** Every name an action is stored under: itself and the old names that mean it. */
export function storedAuditActionNames(action: string): string[] {
  const current = currentAuditAction(action);
  const older = Object.entries(legacyAuditActions)
    .filter(([, now]) => now === current)
    .map(([old]) => old);
  return [current, ...older];
}

/** The label of a stored action, or the stored name itself when this release does not know it. */
export function auditActionLabel(stored: string): string {
  const current = currentAuditAction(stored);
  return isAuditAction(current) ? auditActionLabels[current] : stored;
}

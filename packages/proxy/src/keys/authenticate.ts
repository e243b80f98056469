/**
 * API key checks against the compiled snapshot: the Bearer secret is hashed (sha256 hex, as the
 * control plane stores it) and looked up; rotation grace, revocation and expiry are then enforced.
 */
import { AppError } from "@switchyard/core";
import { hashApiKey } from "@switchyard/core/keys/secret";
import type { CompiledKey, CompiledModel, CompiledSnapshot } from "../config/compile.ts";

/** The secret from an `Authorization: Bearer <secret>` header, or null if there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined || header.length <= 7) return null;
  // "Bearer " compared without allocating a lower-cased copy of the whole header.
  const scheme = header.slice(0, 7);
  if (scheme !== "Bearer " && scheme.toLowerCase() !== "bearer ") return null;
  const token = header.slice(7).trim();
  return token.length === 0 ? null : token;
}

export function authenticateKey(
  snapshot: CompiledSnapshot,
  authorization: string | undefined,
  nowMs: number,
): CompiledKey {
  const secret = bearerToken(authorization);
  if (secret === null) {
    throw new AppError(
      "invalid_api_key",
      "Missing API key. Send it as an 'Authorization: Bearer <key>' header.",
    );
  }
  const entry = snapshot.keysByHash.get(hashApiKey(secret));
  if (entry === undefined) throw new AppError("invalid_api_key", "Incorrect API key provided.");
  if (entry.validUntilMs !== null && entry.validUntilMs <= nowMs) {
    // A rotated-out secret: same answer as an unknown one, with a hint for the key's owner.
    throw new AppError("invalid_api_key", "This API key was rotated and its grace period has ended.");
  }
  const key = entry.key;
  if (key.revokedAtMs !== null) throw new AppError("key_revoked", "This API key has been revoked.");
  if (key.expiresAtMs !== null && key.expiresAtMs <= nowMs) {
    throw new AppError("key_expired", "This API key has expired.");
  }
  return key;
}

/** The model a key asks for, if it exists and the key may use it. */
/** Client-sent names are echoed in messages; a pathological one is cut short. */
function quoted(name: string): string {
  return name.length <= 200 ? `'${name}'` : `'${name.slice(0, 200)}…'`;
}

export function authorizeModel(
  snapshot: CompiledSnapshot,
  key: CompiledKey,
  modelName: string,
): CompiledModel {
  const model = snapshot.models.get(modelName);
  if (model === undefined) {
    throw new AppError("model_not_found", `The model ${quoted(modelName)} does not exist.`, {
      fieldErrors: { model: ["unknown model"] },
    });
  }
  if (key.allowedModels !== null && !key.allowedModels.has(modelName)) {
    throw new AppError(
      "model_not_allowed",
      `This API key is not allowed to use the model ${quoted(modelName)}.`,
      {
        fieldErrors: { model: ["not allowed for this key"] },
      },
    );
  }
  return model;
}

export function keyMayUse(key: CompiledKey, modelName: string): boolean {
  return key.allowedModels === null || key.allowedModels.has(modelName);
}

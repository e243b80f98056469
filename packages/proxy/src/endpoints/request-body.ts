/**
 * The checks every model route's body starts with: valid JSON, an object, and a non-empty `model`.
 * Mistakes are 400s that name the field, in OpenAI's error shape.
 */
import { AppError } from "@switchyard/core";

export function invalidField(field: string, message: string): AppError {
  return new AppError("invalid_request", message, { fieldErrors: { [field]: [message] } });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The body as a JSON object with a non-empty string `model`; `fields` names what the route expects
 * in its messages (e.g. "'model' and 'messages'").
 */
export function parseModelRequest(raw: Buffer, fields: string): Record<string, unknown> & { model: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch (err) {
    throw new AppError(
      "invalid_request",
      `The request body is not valid JSON (${(err as Error).message}). Send a JSON object with ${fields}.`,
    );
  }
  if (!isRecord(json)) {
    throw new AppError("invalid_request", `The request body must be a JSON object with ${fields}.`);
  }
  const { model } = json;
  if (model === undefined) throw invalidField("model", "'model' is required.");
  if (typeof model !== "string" || model.length === 0) {
    throw invalidField("model", "'model' must be a non-empty string.");
  }
  return json as Record<string, unknown> & { model: string };
}

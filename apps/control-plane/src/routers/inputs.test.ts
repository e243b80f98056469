/**
 * Every text a procedure takes is storable: the test walks the real router's input schemas down to
 * each string (object fields, array items, record keys and values, optional and piped ones) and
 * feeds it a NUL and an unpaired surrogate, which Postgres cannot store. Each must be refused with
 * the shared message, so a new procedure or field written with a bare `z.string()` fails here.
 */
import { unstorableTextMessage } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { appRouter } from "../router.ts";

type Schema = z.core.$ZodType;
type Leaf = { path: string; schema: Schema };

/** Schemas that take any value unchecked: an input holding one could smuggle any text through. */
const unchecked = new Set(["any", "unknown", "custom"]);

function stringLeaves(schema: Schema, path: string, out: Leaf[], problems: string[]): void {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  const walk = (s: unknown, p: string) => stringLeaves(s as Schema, p, out, problems);
  switch (def.type) {
    case "string":
      out.push({ path, schema });
      return;
    case "object":
      for (const [key, field] of Object.entries(def.shape as Record<string, Schema>))
        walk(field, `${path}.${key}`);
      return;
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      walk(def.innerType, path);
      return;
    case "pipe":
      // The input side is what the caller's text meets first.
      walk(def.in, path);
      return;
    case "array":
      walk(def.element, `${path}[]`);
      return;
    case "record":
      walk(def.keyType, `${path}{key}`);
      walk(def.valueType, `${path}{value}`);
      return;
    case "union":
      for (const [i, option] of (def.options as Schema[]).entries()) walk(option, `${path}|${i}`);
      return;
    case "intersection":
      walk(def.left, path);
      walk(def.right, path);
      return;
    default:
      if (unchecked.has(def.type)) problems.push(`${path} takes any value (${def.type})`);
  }
}

type ProcDef = { _def: { inputs: Schema[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcDef>);

const leaves: Leaf[] = [];
const problems: string[] = [];
for (const [path, p] of procedures) {
  for (const input of p._def.inputs) stringLeaves(input, path, leaves, problems);
}

/** Short text whose only fault is the character Postgres cannot store. */
const probes = { nul: "abc\u0000", surrogate: "abc\ud800" };

describe("every text input of every procedure", () => {
  it("finds the text fields, nested ones included", () => {
    const paths = leaves.map((l) => l.path);
    for (const expected of [
      "audit.list.actor",
      "audit.list.cursor",
      "keys.list.search",
      "keys.create.name",
      "keys.create.tags[]",
      "keys.create.metadata{key}",
      "keys.create.metadata{value}",
      "keys.update.notifyWebhookUrl",
      "providers.create.name",
      "providers.create.baseUrl",
      "providers.update.apiKey",
      "auth.login.password",
    ]) {
      expect(paths).toContain(expected);
    }
    expect(problems).toEqual([]);
  });

  for (const leaf of leaves) {
    it(`${leaf.path} refuses a NUL and an unpaired surrogate`, () => {
      const format = (leaf.schema._zod.def as { format?: string }).format;
      for (const [what, value] of Object.entries(probes)) {
        const r = leaf.schema["~standard"].validate(value);
        if (r instanceof Promise) throw new Error(`${leaf.path} validates asynchronously`);
        expect(r.issues, `${leaf.path} took a ${what}`).toBeDefined();
        // Ids, emails and the like refuse them by their format; free text by the shared check.
        if (!format) expect(r.issues?.map((i) => i.message)).toContain(unstorableTextMessage);
      }
    });
  }
});

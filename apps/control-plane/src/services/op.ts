/**
 * The one shape of a service operation: `async function createKey({ db, bus, vault, actor, input })`,
 * returning its result or throwing an AppError. An operation destructures only what it uses
 * (`{ db, actor, input }` for a read), one operation per file, and a procedure hands it
 * `opArgs(ctx, input)`: the deps and the caller picked from the tRPC context, never the whole context.
 * An operation also called outside a procedure (by a job, a script, a bench) may declare only what
 * it takes, `Pick<OpArgs<Input>, "db" | "input">`, so those callers need not make up the rest.
 */
import type { Role } from "@switchyard/core";
import type { Db } from "@switchyard/db";
import type { Actor } from "./audit/record.ts";
import type { ConfigBus } from "./config/publish.ts";
import type { CredentialVault } from "./providers/vault.ts";

/** Who an operation acts for: the audit identity, and the organisation and role the caller acts in. */
export type OpActor = Actor & { orgId: string; role: Role };

/** What a service operation is given; `Input` is the parsed input of its procedure. */
export type OpArgs<Input = undefined> = {
  db: Db;
  /** Wakes this replica's long-polls after a config write; null where none runs (scripts, some tests). */
  bus: ConfigBus | null;
  /** Seals provider credentials at rest and for snapshots; every `writeConfig` needs it. */
  vault: CredentialVault;
  actor: OpActor;
  input: Input;
};

/** The part of a tRPC context (after the scope check) that operations are built from. */
export type OpContext = {
  db: Db;
  bus: ConfigBus | null;
  vault: CredentialVault;
  actor: Actor;
  user: { orgId: string; role: Role };
};

/** An operation's arguments from a procedure's context and parsed input. */
export function opArgs(ctx: OpContext): OpArgs;
export function opArgs<Input>(ctx: OpContext, input: Input): OpArgs<Input>;
export function opArgs<Input>(ctx: OpContext, input?: Input): OpArgs<Input | undefined> {
  return {
    db: ctx.db,
    bus: ctx.bus,
    vault: ctx.vault,
    actor: { ...ctx.actor, orgId: ctx.user.orgId, role: ctx.user.role },
    input,
  };
}

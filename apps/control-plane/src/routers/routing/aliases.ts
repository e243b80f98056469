/** `routing.aliases.*`: the names clients send, each routing to deployments in order or by weight. */
import { AliasIdInput, CreateAliasInput, UpdateAliasInput } from "@switchyard/core";
import type { TRPCRouterRecord } from "@trpc/server";
import { opArgs } from "../../services/op.ts";
import { createAlias } from "../../services/routing/create-alias.ts";
import { deleteAlias } from "../../services/routing/delete-alias.ts";
import { listAliases } from "../../services/routing/list-aliases.ts";
import { updateAlias } from "../../services/routing/update-alias.ts";
import { scoped } from "../../trpc.ts";

const list = scoped("routing:read").query(({ ctx }) => listAliases(opArgs(ctx)));

/** A repeated `idempotencyKey` is a 409 "Already created". */
const create = scoped("routing:write")
  .input(CreateAliasInput)
  .mutation(({ ctx, input }) => createAlias(opArgs(ctx, input)));

/** A stale `version` is a 409. A rename carries the keys that allowed the old name along. */
const update = scoped("routing:write")
  .input(UpdateAliasInput)
  .mutation(({ ctx, input }) => updateAlias(opArgs(ctx, input)));

/** Refused (409) while live keys allow it, naming them. */
const remove = scoped("routing:write")
  .input(AliasIdInput)
  .mutation(({ ctx, input }) => deleteAlias(opArgs(ctx, input)));

export const aliasesRouter = { list, create, update, delete: remove } satisfies TRPCRouterRecord;

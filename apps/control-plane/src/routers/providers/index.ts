import type { TRPCRouterRecord } from "@trpc/server";
import { create } from "./create.ts";
import { remove } from "./delete.ts";
import { list } from "./list.ts";
import { reencrypt } from "./reencrypt.ts";
import { rotateCredential } from "./rotate-credential.ts";
import { test } from "./test.ts";
import { update } from "./update.ts";

export const providersRouter = {
  list,
  create,
  update,
  rotateCredential,
  test,
  delete: remove,
  reencrypt,
} satisfies TRPCRouterRecord;

/** GET /v1/models: the models the calling key may use, in OpenAI's list shape. */
import { modelList } from "../config/compile.ts";
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import { sendJson } from "../http/context.ts";
import { configNotLoaded, sendError, toAppError } from "../http/errors.ts";
import { authenticateKey, keyMayUse } from "../keys/authenticate.ts";

export function listModels(ctx: RequestContext, _deps: ProxyDeps): void {
  const snapshot = ctx.snapshot;
  try {
    if (snapshot === null) throw configNotLoaded();
    const key = authenticateKey(snapshot, ctx.req.headers.authorization, Date.now());
    if (key.allowedModels === null) {
      sendJson(ctx, 200, snapshot.allModelsListBody);
      return;
    }
    const allowed = [...snapshot.models.values()].filter((model) => keyMayUse(key, model.name));
    sendJson(ctx, 200, JSON.stringify(modelList(allowed)));
  } catch (err) {
    sendError(ctx.res, toAppError(err), ctx.headers);
  }
}

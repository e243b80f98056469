/** How the routing page names a model kind. */
import type { ModelKind } from "@switchyard/core";

export const kindLabels: Record<ModelKind, string> = { chat: "Chat", embedding: "Embedding" };

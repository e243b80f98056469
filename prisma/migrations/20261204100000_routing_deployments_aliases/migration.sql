-- Models become aliases and deployments become the provider's: a deployment (one upstream model of
-- one provider, with its limits, timeouts and price) no longer belongs to one model; an alias
-- (gateway_models, the names clients send and keys name) points at one or more deployments through
-- alias_targets. Existing data keeps serving: every deployment becomes its model's target, in the
-- order the proxy used (created_at), and keys' allowed_models name the same aliases as before.

-- Deployments: the new columns; each takes its model's kind and price.
ALTER TABLE "deployments" ADD COLUMN "kind" "model_kind" NOT NULL DEFAULT 'chat',
ADD COLUMN "context_window" INTEGER,
ADD COLUMN "max_output_tokens" INTEGER,
ADD COLUMN "region" TEXT,
ADD COLUMN "tags" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
ADD COLUMN "first_token_timeout_ms" INTEGER,
ADD COLUMN "between_chunks_timeout_ms" INTEGER,
ADD COLUMN "input_micros_per_mtok" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "output_micros_per_mtok" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN "idempotency_key" UUID;

UPDATE "deployments" d
SET "kind" = m."kind",
    "input_micros_per_mtok" = m."input_micros_per_mtok",
    "output_micros_per_mtok" = m."output_micros_per_mtok",
    "updated_at" = d."created_at"
FROM "gateway_models" m
WHERE m."id" = d."model_id";

-- Aliases: a strategy and a version.
ALTER TABLE "gateway_models" ADD COLUMN "strategy" TEXT NOT NULL DEFAULT 'priority',
ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN "idempotency_key" UUID;

UPDATE "gateway_models" SET "updated_at" = "created_at";

CREATE TABLE "alias_targets" (
    "model_id" UUID NOT NULL,
    "deployment_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "weight" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "alias_targets_pkey" PRIMARY KEY ("model_id","deployment_id")
);

-- Two models may have had a deployment of the same provider and upstream model. They now share one
-- deployment (the earliest; its price and kind stay), so the pair can be unique.
CREATE TEMP TABLE "deployment_keep" ON COMMIT DROP AS
SELECT d."id", first_value(d."id") OVER (
    PARTITION BY d."provider_id", d."upstream_model" ORDER BY d."created_at", d."id"
) AS "keep_id"
FROM "deployments" d;

-- Every old deployment becomes a target of the model it belonged to, in created_at order (the
-- proxy took the first); a model that had two duplicates gets the kept one once.
INSERT INTO "alias_targets" ("model_id", "deployment_id", "position", "weight")
SELECT "model_id", "keep_id", (row_number() OVER (PARTITION BY "model_id" ORDER BY "first_at", "keep_id") - 1)::INTEGER, 1
FROM (
    SELECT d."model_id", k."keep_id", min(d."created_at") AS "first_at"
    FROM "deployments" d
    JOIN "deployment_keep" k ON k."id" = d."id"
    GROUP BY d."model_id", k."keep_id"
) t;

DELETE FROM "deployments" d USING "deployment_keep" k WHERE k."id" = d."id" AND k."keep_id" <> d."id";

DROP INDEX "deployments_model_id_idx";
ALTER TABLE "deployments" DROP CONSTRAINT "deployments_model_id_fkey";
ALTER TABLE "deployments" DROP COLUMN "model_id";

-- Prices now live on deployments.
ALTER TABLE "gateway_models" DROP COLUMN "input_micros_per_mtok",
DROP COLUMN "output_micros_per_mtok";

CREATE UNIQUE INDEX "deployments_provider_id_upstream_model_key" ON "deployments"("provider_id", "upstream_model");
CREATE UNIQUE INDEX "deployments_idempotency_key_key" ON "deployments"("idempotency_key");
CREATE UNIQUE INDEX "gateway_models_idempotency_key_key" ON "gateway_models"("idempotency_key");
CREATE INDEX "alias_targets_deployment_id_idx" ON "alias_targets"("deployment_id");

ALTER TABLE "alias_targets" ADD CONSTRAINT "alias_targets_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "gateway_models"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alias_targets" ADD CONSTRAINT "alias_targets_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

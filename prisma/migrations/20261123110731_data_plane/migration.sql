-- CreateEnum
CREATE TYPE "credential_role" AS ENUM ('primary', 'fallback', 'retired');

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "next_rotation_at" TIMESTAMPTZ(3),
ADD COLUMN     "notify_webhook_url" TEXT,
ADD COLUMN     "rotation_days" INTEGER,
ADD COLUMN     "rotation_grace_minutes" INTEGER NOT NULL DEFAULT 60,
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "gateway_models" ADD COLUMN     "input_micros_per_mtok" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "output_micros_per_mtok" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "providers" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "provider_credentials" (
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "role" "credential_role" NOT NULL,
    "key_version" INTEGER NOT NULL,
    "iv" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "overlap_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "user_id" UUID,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL DEFAULT 'info',
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_events" (
    "request_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "key_id" UUID,
    "user_id" UUID,
    "team_id" UUID,
    "model" TEXT NOT NULL,
    "deployment_id" UUID,
    "provider_id" UUID,
    "prompt_version_id" TEXT,
    "variant" TEXT,
    "prompt_tokens" INTEGER NOT NULL,
    "completion_tokens" INTEGER NOT NULL,
    "cost_micros" BIGINT NOT NULL,
    "latency_ms" INTEGER NOT NULL,
    "ttft_ms" INTEGER,
    "status" INTEGER NOT NULL,
    "error_code" TEXT,
    "stream" BOOLEAN NOT NULL,
    "moderation" JSONB,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("request_id")
);

-- CreateTable
CREATE TABLE "usage_rollup_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "model" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "requests" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "prompt_tokens" BIGINT NOT NULL,
    "completion_tokens" BIGINT NOT NULL,
    "cost_micros" BIGINT NOT NULL,
    "latency_ms_sum" BIGINT NOT NULL,

    CONSTRAINT "usage_rollup_hourly_pkey" PRIMARY KEY ("hour","model","key_id","user_id","team_id")
);

-- CreateIndex
CREATE INDEX "provider_credentials_provider_id_role_idx" ON "provider_credentials"("provider_id", "role");

-- CreateIndex
CREATE INDEX "notifications_user_id_created_at_idx" ON "notifications"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "notifications_created_at_idx" ON "notifications"("created_at");

-- CreateIndex
CREATE INDEX "usage_events_at_idx" ON "usage_events"("at");

-- CreateIndex
CREATE INDEX "usage_events_key_id_at_idx" ON "usage_events"("key_id", "at");

-- CreateIndex
CREATE INDEX "usage_events_model_at_idx" ON "usage_events"("model", "at");

-- CreateIndex
CREATE INDEX "usage_rollup_hourly_hour_idx" ON "usage_rollup_hourly"("hour");

-- CreateIndex
CREATE INDEX "api_keys_next_rotation_at_idx" ON "api_keys"("next_rotation_at");

-- AddForeignKey
ALTER TABLE "provider_credentials" ADD CONSTRAINT "provider_credentials_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

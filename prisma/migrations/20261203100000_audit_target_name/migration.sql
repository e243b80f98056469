-- AlterTable
-- The target's name as it was when the entry was written (a key's or provider's name, a user's
-- email), so the Audit page can show it after a rename or a delete. Entries written before this
-- column have none: the log is append-only and they are not rewritten.
ALTER TABLE "audit_log" ADD COLUMN "target_name" TEXT;

-- AlterTable
-- A create dialog's idempotency key: a repeat of the same submission by the same organisation is
-- refused as already created instead of making a second key or provider.
ALTER TABLE "api_keys" ADD COLUMN "idempotency_key" UUID;
ALTER TABLE "providers" ADD COLUMN "idempotency_key" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_org_id_idempotency_key_key" ON "api_keys"("org_id", "idempotency_key");
CREATE UNIQUE INDEX "providers_org_id_idempotency_key_key" ON "providers"("org_id", "idempotency_key");

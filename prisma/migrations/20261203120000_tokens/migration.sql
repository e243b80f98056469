-- Admin API tokens: how scripts and Terraform call the tRPC API (Authorization: Bearer). Only the
-- secret's sha256 is stored; every token has a role and an expiry of its own.
CREATE TABLE "admin_tokens" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "role" NOT NULL,
    "hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "admin_tokens_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "admin_tokens_hash_key" ON "admin_tokens"("hash");

CREATE INDEX "admin_tokens_org_id_idx" ON "admin_tokens"("org_id");

ALTER TABLE "admin_tokens" ADD CONSTRAINT "admin_tokens_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "admin_tokens" ADD CONSTRAINT "admin_tokens_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- An entry written by a token names the token as its actor. No foreign key: the log outlives the
-- tokens it names, and the copied name keeps the entry readable.
ALTER TABLE "audit_log" ADD COLUMN "actor_token_id" UUID,
ADD COLUMN "actor_token_name" TEXT;

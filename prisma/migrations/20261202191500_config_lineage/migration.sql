-- CreateTable
CREATE TABLE "config_lineage" (
    "singleton" BOOLEAN NOT NULL DEFAULT true,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "config_lineage_pkey" PRIMARY KEY ("singleton")
);

-- The lineage is made with the database (or with this migration, for a database that predates
-- it). It is the row whose key is `true`; the primary key keeps it the only one. (No CHECK
-- constraint: Prisma's JS schema engine fails on introspecting one, which breaks migrate dev.)
INSERT INTO "config_lineage" DEFAULT VALUES;

-- AlterTable
-- Existing providers start as not in-cluster: the flag is the admin's explicit word that a base URL
-- on a private network or over http:// is meant. Proxies keep serving them either way (they do not
-- read it); an edit or a connection test asks the admin to tick "In-cluster" where it applies.
ALTER TABLE "providers" ADD COLUMN "in_cluster" BOOLEAN NOT NULL DEFAULT false;

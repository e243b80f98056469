-- The audit log is append-only, and TRUNCATE is no exception: a row trigger never sees it (no
-- rows are visited), so a statement trigger refuses it, with the same function and message as
-- the refusal of UPDATE and DELETE. It fires for `TRUNCATE ... CASCADE` from another table too.
CREATE TRIGGER "audit_log_no_truncate"
  BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();

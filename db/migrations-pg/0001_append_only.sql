-- The audit log and DP count releases are append-only, as on SQLite: an UPDATE, DELETE or TRUNCATE is refused.
CREATE FUNCTION "refuse_change_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_update" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "refuse_change_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change_append_only"();
--> statement-breakpoint
CREATE TRIGGER "count_releases_no_update" BEFORE UPDATE OR DELETE ON "count_releases" FOR EACH ROW EXECUTE FUNCTION "refuse_change_append_only"();
--> statement-breakpoint
CREATE TRIGGER "count_releases_no_truncate" BEFORE TRUNCATE ON "count_releases" FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change_append_only"();

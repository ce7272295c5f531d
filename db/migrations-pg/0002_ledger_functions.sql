-- The ledger's functions: the one way a role without INSERT on audit_log (the workers' role, db/worker-role.ts)
-- appends to the audit log. Under the chain's advisory lock it accepts only the entry that extends the chain: the
-- next seq, whose prev_hash is the head's hash; the entry's own hash is checked by audit:verify, as every entry's is.
CREATE FUNCTION "ledger_append_audit"(
  p_seq bigint, p_at text, p_actor_id text, p_actor_email text, p_actor_role text, p_action text,
  p_entity_type text, p_entity_id text, p_input_digest text, p_prev_hash text, p_hash text
) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  head_seq bigint;
  head_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(327579617093);
  SELECT seq, hash INTO head_seq, head_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
  IF coalesce(head_seq, 0) + 1 <> p_seq OR coalesce(head_hash, repeat('0', 64)) <> p_prev_hash THEN
    RAISE EXCEPTION 'audit entry % does not extend the chain (head is %)', p_seq, coalesce(head_seq, 0) USING ERRCODE = 'serialization_failure';
  END IF;
  INSERT INTO audit_log (seq, at, actor_id, actor_email, actor_role, action, entity_type, entity_id, input_digest, prev_hash, hash)
  VALUES (p_seq, p_at, p_actor_id, p_actor_email, p_actor_role, p_action, p_entity_type, p_entity_id, p_input_digest, p_prev_hash, p_hash);
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "ledger_append_audit"(bigint, text, text, text, text, text, text, text, text, text, text) FROM PUBLIC;

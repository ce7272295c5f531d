-- The audit chain's head under the chain's lock, in one call (one round trip instead of two): takes the
-- transaction-scoped advisory lock that serialises appends (ledger_append_audit takes it too), then reads the last
-- entry. In a VOLATILE function each query takes its own snapshot, so the head read after the lock is granted is the
-- one the previous holder committed. It runs with the caller's rights: reading audit_log needs SELECT on it.
CREATE FUNCTION "ledger_audit_head"() RETURNS TABLE(head_seq bigint, head_hash text) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(327579617093);
  RETURN QUERY SELECT a.seq, a.hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
END;
$$;

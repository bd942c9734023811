-- The ledger is append-only at the database level: whatever connects, an event once written
-- can be neither changed nor removed (DESIGN.md, "The ledger").
CREATE FUNCTION task_events_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'task_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER task_events_append_only
  BEFORE UPDATE OR DELETE ON task_events
  FOR EACH ROW EXECUTE FUNCTION task_events_reject_change();
--> statement-breakpoint
CREATE TRIGGER task_events_no_truncate
  BEFORE TRUNCATE ON task_events
  FOR EACH STATEMENT EXECUTE FUNCTION task_events_reject_change();
--> statement-breakpoint
INSERT INTO ledger_state (id, position) VALUES (1, 0);

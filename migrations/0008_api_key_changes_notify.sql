-- Every process keeps the keys it has authenticated in memory; a change to a key (its revocation,
-- above all) is announced on this channel when it commits, however it was made (the API, the keys
-- CLI, an operator's UPDATE), so each process forgets the key at once. An empty payload (TRUNCATE)
-- means every key.
CREATE FUNCTION api_keys_announce_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('duban_api_key_changed', CASE WHEN TG_OP = 'TRUNCATE' THEN '' ELSE OLD.id END);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER api_keys_announce_change AFTER UPDATE OR DELETE ON api_keys
FOR EACH ROW EXECUTE FUNCTION api_keys_announce_change();
--> statement-breakpoint
CREATE TRIGGER api_keys_announce_truncate AFTER TRUNCATE ON api_keys
FOR EACH STATEMENT EXECUTE FUNCTION api_keys_announce_change();

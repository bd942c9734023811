-- Each task's state at any moment, read from the index alone: reports as of a past moment look up
-- the last event of every task at or before it, and the timeline walks each task's events in time
-- order. drizzle's schema builder cannot declare INCLUDE columns, so this index lives here only.
CREATE INDEX "task_events_task_at_idx" ON "task_events" USING btree ("task_id", "at", "seq") INCLUDE ("state");

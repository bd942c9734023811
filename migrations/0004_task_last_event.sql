ALTER TABLE "tasks" ADD COLUMN "last_event_id" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Existing tasks: the position of their latest event (added by hand to the generated migration).
UPDATE "tasks" SET "last_event_id" = latest.id FROM (SELECT "task_id", max("id") AS id FROM "task_events" GROUP BY "task_id") latest WHERE latest."task_id" = "tasks"."id";--> statement-breakpoint
CREATE INDEX "tasks_last_event_id_index" ON "tasks" USING btree ("last_event_id");

-- Events stored before this migration were hashed with recipe 1 and keep it; the default exists
-- only to fill them in, so that every event written from now on names its recipe explicitly.
ALTER TABLE "task_events" ADD COLUMN "hash_version" integer NOT NULL DEFAULT 1;--> statement-breakpoint
ALTER TABLE "task_events" ALTER COLUMN "hash_version" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "task_assignments" ADD COLUMN "share_progress" integer;--> statement-breakpoint
ALTER TABLE "task_assignments" ADD CONSTRAINT "task_assignments_share_progress_range" CHECK ("task_assignments"."share_progress" between 0 and 100);

CREATE TABLE "task_indicators" (
	"task_id" text NOT NULL,
	"key" text NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"unit" text,
	"direction" text NOT NULL,
	"target" double precision,
	"min" double precision,
	"max" double precision,
	"baseline" double precision,
	"due" text,
	"latest_value" double precision,
	"latest_at" timestamp (3) with time zone,
	"latest_event_id" bigint,
	CONSTRAINT "task_indicators_task_id_key_pk" PRIMARY KEY("task_id","key"),
	CONSTRAINT "task_indicators_direction" CHECK ("task_indicators"."direction" in ('at_least', 'at_most', 'between')),
	CONSTRAINT "task_indicators_target" CHECK (("task_indicators"."direction" = 'between') = ("task_indicators"."target" is null) and ("task_indicators"."direction" = 'between') = ("task_indicators"."min" is not null and "task_indicators"."max" is not null))
);
--> statement-breakpoint
ALTER TABLE "agencies" DROP CONSTRAINT "agencies_name_unique";--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_listId_number_unique";--> statement-breakpoint
-- Kinds become data: the enum's labels stay the values they were.
ALTER TABLE "agencies" ALTER COLUMN "kind" SET DATA TYPE text USING "kind"::text;--> statement-breakpoint
ALTER TABLE "articles" ALTER COLUMN "title" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "document_parts" ALTER COLUMN "title" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "agencies" ADD COLUMN "parent_id" text;--> statement-breakpoint
ALTER TABLE "document_parts" ADD COLUMN "text" text;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "source_file" text;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "imported_from" text;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "import_hash" text;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "imported_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "task_lists" ADD COLUMN "owner_id" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "parent_id" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "ancestor_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
-- Every list so far is flat, so a task's place in its list is its number.
ALTER TABLE "tasks" ADD COLUMN "position" integer;--> statement-breakpoint
UPDATE "tasks" SET "position" = "number";--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "position" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "label" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "title" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "weight" double precision DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "planned_start" date;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "planned_end" date;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "window_start" date;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "window_end" date;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "window_from" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "child_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "task_indicators" ADD CONSTRAINT "task_indicators_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agencies" ADD CONSTRAINT "agencies_parent_id_agencies_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_lists" ADD CONSTRAINT "task_lists_owner_id_agencies_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_parent_id_tasks_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agencies_parent_id_index" ON "agencies" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "tasks_parent_id_index" ON "tasks" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "tasks_ancestor_ids_idx" ON "tasks" USING gin ("ancestor_ids");--> statement-breakpoint
ALTER TABLE "agencies" ADD CONSTRAINT "agencies_parent_name_unique" UNIQUE NULLS NOT DISTINCT("parent_id","name");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_list_position_unique" UNIQUE("list_id","position");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_sibling_number_unique" UNIQUE NULLS NOT DISTINCT("list_id","parent_id","number");--> statement-breakpoint
ALTER TABLE "agencies" ADD CONSTRAINT "agencies_kind_format" CHECK ("agencies"."kind" ~ '^[a-z][a-z0-9_]{0,49}$');--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_weight_positive" CHECK ("tasks"."weight" > 0);--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_planned_window" CHECK ("tasks"."planned_start" is null or "tasks"."planned_end" is null or "tasks"."planned_start" <= "tasks"."planned_end");--> statement-breakpoint
DROP TYPE "public"."agency_kind";
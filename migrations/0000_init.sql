CREATE TYPE "public"."agency_kind" AS ENUM('municipal_department', 'district_government', 'party_organ', 'central_branch', 'ministry', 'mass_organization', 'group');--> statement-breakpoint
CREATE TYPE "public"."key_role" AS ENUM('admin', 'supervisor', 'agency', 'auditor');--> statement-breakpoint
CREATE TYPE "public"."assignment_role" AS ENUM('lead', 'co');--> statement-breakpoint
CREATE TYPE "public"."task_status" AS ENUM('not_started', 'in_progress', 'delayed', 'completed', 'verified');--> statement-breakpoint
CREATE TABLE "agencies" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"full_name" text NOT NULL,
	"name_en" text NOT NULL,
	"kind" "agency_kind" NOT NULL,
	CONSTRAINT "agencies_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "agency_members" (
	"group_id" text NOT NULL,
	"member_id" text NOT NULL,
	CONSTRAINT "agency_members_group_id_member_id_pk" PRIMARY KEY("group_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"role" "key_role" NOT NULL,
	"agency_id" text,
	"label" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"created_by" text,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_agency_binding" CHECK (("api_keys"."role" = 'agency') = ("api_keys"."agency_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "idempotency_records" (
	"api_key_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" integer NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "idempotency_records_api_key_id_key_pk" PRIMARY KEY("api_key_id","key")
);
--> statement-breakpoint
CREATE TABLE "articles" (
	"id" text PRIMARY KEY NOT NULL,
	"part_id" text NOT NULL,
	"position" integer NOT NULL,
	"number" text NOT NULL,
	"title" text NOT NULL,
	"text" text NOT NULL,
	CONSTRAINT "articles_partId_position_unique" UNIQUE("part_id","position")
);
--> statement-breakpoint
CREATE TABLE "document_parts" (
	"id" text PRIMARY KEY NOT NULL,
	"document_id" text NOT NULL,
	"position" integer NOT NULL,
	"number" text NOT NULL,
	"title" text NOT NULL,
	CONSTRAINT "document_parts_documentId_position_unique" UNIQUE("document_id","position")
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"issuers" text[] NOT NULL,
	"issued_on" date,
	"doc_number" text
);
--> statement-breakpoint
CREATE TABLE "task_lists" (
	"id" text PRIMARY KEY NOT NULL,
	"document_id" text NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"annex" text,
	CONSTRAINT "task_lists_documentId_position_unique" UNIQUE("document_id","position")
);
--> statement-breakpoint
CREATE TABLE "ledger_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"position" bigint NOT NULL,
	CONSTRAINT "ledger_state_single_row" CHECK ("ledger_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "task_events" (
	"id" bigint PRIMARY KEY NOT NULL,
	"task_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"actor_key_id" text,
	"actor_agency_id" text,
	"actor_role" text NOT NULL,
	"changes" jsonb NOT NULL,
	"note" text,
	"evidence" jsonb NOT NULL,
	"state" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "task_events_taskId_seq_unique" UNIQUE("task_id","seq")
);
--> statement-breakpoint
CREATE TABLE "task_assignments" (
	"task_id" text NOT NULL,
	"agency_id" text NOT NULL,
	"role" "assignment_role" NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "task_assignments_task_id_agency_id_pk" PRIMARY KEY("task_id","agency_id"),
	CONSTRAINT "task_assignments_taskId_position_unique" UNIQUE("task_id","position")
);
--> statement-breakpoint
CREATE TABLE "task_links" (
	"task_id" text NOT NULL,
	"related_task_id" text NOT NULL,
	CONSTRAINT "task_links_task_id_related_task_id_pk" PRIMARY KEY("task_id","related_task_id")
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"list_id" text NOT NULL,
	"number" integer NOT NULL,
	"text" text NOT NULL,
	"article_id" text,
	"responsible_text" text,
	"status" "task_status" DEFAULT 'not_started' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"due_date" date,
	"version" integer DEFAULT 1 NOT NULL,
	"last_report_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "tasks_listId_number_unique" UNIQUE("list_id","number"),
	CONSTRAINT "tasks_progress_range" CHECK ("tasks"."progress" between 0 and 100),
	CONSTRAINT "tasks_version_positive" CHECK ("tasks"."version" >= 1)
);
--> statement-breakpoint
ALTER TABLE "agency_members" ADD CONSTRAINT "agency_members_group_id_agencies_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agency_members" ADD CONSTRAINT "agency_members_member_id_agencies_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_records" ADD CONSTRAINT "idempotency_records_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "articles" ADD CONSTRAINT "articles_part_id_document_parts_id_fk" FOREIGN KEY ("part_id") REFERENCES "public"."document_parts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_parts" ADD CONSTRAINT "document_parts_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_lists" ADD CONSTRAINT "task_lists_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_events" ADD CONSTRAINT "task_events_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_assignments" ADD CONSTRAINT "task_assignments_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_assignments" ADD CONSTRAINT "task_assignments_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_links" ADD CONSTRAINT "task_links_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_links" ADD CONSTRAINT "task_links_related_task_id_tasks_id_fk" FOREIGN KEY ("related_task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_list_id_task_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."task_lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "task_events_at_index" ON "task_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "task_assignments_agency_id_index" ON "task_assignments" USING btree ("agency_id");--> statement-breakpoint
CREATE INDEX "tasks_article_id_index" ON "tasks" USING btree ("article_id");--> statement-breakpoint
CREATE INDEX "tasks_updated_at_id_index" ON "tasks" USING btree ("updated_at","id");
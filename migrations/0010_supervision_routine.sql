CREATE TABLE "assignment_receipts" (
	"task_id" text NOT NULL,
	"agency_id" text NOT NULL,
	"acknowledged_at" timestamp (3) with time zone NOT NULL,
	"by_key_id" text,
	"by_agency_id" text,
	"event_id" bigint NOT NULL,
	CONSTRAINT "assignment_receipts_task_id_agency_id_pk" PRIMARY KEY("task_id","agency_id")
);
--> statement-breakpoint
CREATE TABLE "extension_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"task_id" text NOT NULL,
	"status" text NOT NULL,
	"requested_due_date" date NOT NULL,
	"reason" text NOT NULL,
	"due_date_at_request" date NOT NULL,
	"late" boolean NOT NULL,
	"requested_at" timestamp (3) with time zone NOT NULL,
	"requested_by_key_id" text,
	"requested_by_agency_id" text,
	"request_event_id" bigint NOT NULL,
	"decided_at" timestamp (3) with time zone,
	"decided_by_key_id" text,
	"decision_note" text,
	"approved_due_date" date,
	"decision_event_id" bigint,
	CONSTRAINT "extension_requests_status" CHECK ("extension_requests"."status" in ('pending', 'approved', 'refused')),
	CONSTRAINT "extension_requests_later" CHECK ("extension_requests"."requested_due_date" > "extension_requests"."due_date_at_request"),
	CONSTRAINT "extension_requests_decision" CHECK (("extension_requests"."status" = 'pending') = ("extension_requests"."decided_at" is null) and ("extension_requests"."status" = 'approved') = ("extension_requests"."approved_due_date" is not null))
);
--> statement-breakpoint
ALTER TABLE "task_lists" ADD COLUMN "late_extension_requests" text DEFAULT 'mark_late' NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "original_due_date" date;--> statement-breakpoint
ALTER TABLE "assignment_receipts" ADD CONSTRAINT "assignment_receipts_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_receipts" ADD CONSTRAINT "assignment_receipts_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_receipts" ADD CONSTRAINT "assignment_receipts_by_agency_id_agencies_id_fk" FOREIGN KEY ("by_agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "extension_requests" ADD CONSTRAINT "extension_requests_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "extension_requests" ADD CONSTRAINT "extension_requests_requested_by_agency_id_agencies_id_fk" FOREIGN KEY ("requested_by_agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assignment_receipts_agency_id_acknowledged_at_index" ON "assignment_receipts" USING btree ("agency_id","acknowledged_at");--> statement-breakpoint
CREATE UNIQUE INDEX "extension_requests_one_pending_per_task" ON "extension_requests" USING btree ("task_id") WHERE "extension_requests"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "extension_requests_task_id_requested_at_index" ON "extension_requests" USING btree ("task_id","requested_at");--> statement-breakpoint
CREATE INDEX "extension_requests_status_requested_at_id_index" ON "extension_requests" USING btree ("status","requested_at","id");
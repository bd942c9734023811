ALTER TABLE "reminders" DROP CONSTRAINT "reminders_kind";--> statement-breakpoint
ALTER TABLE "task_lists" ADD COLUMN "report_cadence" text;--> statement-breakpoint
ALTER TABLE "task_lists" ADD COLUMN "report_due_day" integer;--> statement-breakpoint
ALTER TABLE "reminders" ADD COLUMN "agency_id" text;--> statement-breakpoint
ALTER TABLE "reminders" ADD COLUMN "period" text;--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_lists" ADD CONSTRAINT "task_lists_report_cadence" CHECK ("task_lists"."report_cadence" in ('monthly', 'quarterly'));--> statement-breakpoint
ALTER TABLE "task_lists" ADD CONSTRAINT "task_lists_report_due_day" CHECK (("task_lists"."report_cadence" is null) = ("task_lists"."report_due_day" is null) and "task_lists"."report_due_day" between 1 and 28);--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_report_unit" CHECK (("reminders"."kind" = 'report.missing') = ("reminders"."agency_id" is not null and "reminders"."period" is not null));--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_kind" CHECK ("reminders"."kind" in ('task.due_soon', 'task.overdue', 'report.missing'));
CREATE TABLE "reminders" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reminders_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"task_id" text NOT NULL,
	"kind" text NOT NULL,
	"occurrence" text NOT NULL,
	"due_date" date,
	"fired_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "reminders_once" UNIQUE("task_id","kind","occurrence"),
	CONSTRAINT "reminders_kind" CHECK ("reminders"."kind" in ('task.due_soon', 'task.overdue'))
);
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ALTER COLUMN "event_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "reminder_id" bigint;--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reminders_kind_id_index" ON "reminders" USING btree ("kind","id");--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_reminder_id_reminders_id_fk" FOREIGN KEY ("reminder_id") REFERENCES "public"."reminders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscriptionId_reminderId_unique" UNIQUE("subscription_id","reminder_id");--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_one_subject" CHECK (("webhook_deliveries"."event_id" is null) <> ("webhook_deliveries"."reminder_id" is null));
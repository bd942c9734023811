DROP INDEX "task_assignments_agency_id_index";--> statement-breakpoint
CREATE INDEX "task_assignments_agency_id_task_id_index" ON "task_assignments" USING btree ("agency_id","task_id");
ALTER TABLE "run_evaluations" ADD COLUMN "task_records" bigint;--> statement-breakpoint
ALTER TABLE "run_evaluations" ADD COLUMN "task_accuracy" double precision;--> statement-breakpoint
ALTER TABLE "run_evaluations" ADD COLUMN "task_macro_f1" double precision;
ALTER TABLE `run_evaluations` ADD `task_records` integer;--> statement-breakpoint
ALTER TABLE `run_evaluations` ADD `task_accuracy` real;--> statement-breakpoint
ALTER TABLE `run_evaluations` ADD `task_macro_f1` real;
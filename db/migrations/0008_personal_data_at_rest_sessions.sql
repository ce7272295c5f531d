ALTER TABLE `users` ADD `session_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `dataset_versions` ADD `files_deleted_at` text;--> statement-breakpoint
ALTER TABLE `dataset_versions` ADD `files_deleted_by` text;--> statement-breakpoint
ALTER TABLE `datasets` ADD `retention_days` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `keep_run_files` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `run_files_deleted_at` text;
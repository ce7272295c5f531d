CREATE TABLE `run_evaluations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`step` integer NOT NULL,
	`validation_loss` real NOT NULL,
	`perplexity` real NOT NULL,
	`at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `run_steps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`step` integer NOT NULL,
	`batch_size` integer NOT NULL,
	`loss` real,
	`trainer_epsilon` real,
	`clipped_fraction` real,
	`grad_norm_quantiles` text,
	`elapsed_ms` real NOT NULL,
	`at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `run_steps_run_idx` ON `run_steps` (`run_id`);--> statement-breakpoint
ALTER TABLE `runs` ADD `resume_from_step` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `segment_base_steps` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `checkpoint_step` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `cancel_requested` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `reported_event` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `started_info` text;
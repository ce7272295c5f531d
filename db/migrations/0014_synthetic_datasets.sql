CREATE TABLE `synthetic_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`dataset_id` text NOT NULL,
	`model_version_id` text NOT NULL,
	`requested_by` text NOT NULL,
	`request` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`runner_id` text,
	`generated` integer DEFAULT 0 NOT NULL,
	`total` integer NOT NULL,
	`cancel_requested` integer DEFAULT false NOT NULL,
	`error` text,
	`dataset_version_id` text,
	`report` text,
	`verdict` text,
	`approved_by` text,
	`approved_at` text,
	`incident_id` text,
	`requested_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`finished_at` text,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dataset_version_id`) REFERENCES `dataset_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `synthetic_jobs_dataset_idx` ON `synthetic_jobs` (`dataset_id`);--> statement-breakpoint
CREATE INDEX `synthetic_jobs_status_idx` ON `synthetic_jobs` (`status`);--> statement-breakpoint
CREATE TABLE `synthetic_thresholds` (
	`id` text PRIMARY KEY NOT NULL,
	`near_duplicate_jaccard` real NOT NULL,
	`max_duplicate_share` real NOT NULL,
	`max_closer_share` real NOT NULL,
	`max_copied_pii` integer NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `dataset_versions` ADD `source_model_version_id` text;
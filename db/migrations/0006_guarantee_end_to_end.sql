CREATE TABLE `lineage_secrets` (
	`dataset_id` text PRIMARY KEY NOT NULL,
	`holdout_key` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `count_releases` (
	`id` text PRIMARY KEY NOT NULL,
	`dataset_id` text NOT NULL,
	`dataset_version_id` text NOT NULL,
	`event` text NOT NULL,
	`record_noise_std` real NOT NULL,
	`subject_noise_std` real NOT NULL,
	`noisy_record_count` integer NOT NULL,
	`noisy_subject_count` integer NOT NULL,
	`released_by` text NOT NULL,
	`released_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dataset_version_id`) REFERENCES `dataset_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`released_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `runner_leases` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`pid` integer NOT NULL,
	`started_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`heartbeat_at` text NOT NULL,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `budgets` ADD `records_per_person_bound` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `budgets` ADD `delta_override_reason` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `runner_id` text;--> statement-breakpoint
ALTER TABLE `leakage_reports` ADD `runner_id` text;--> statement-breakpoint
CREATE TRIGGER `count_releases_no_update` BEFORE UPDATE ON `count_releases` BEGIN SELECT RAISE(ABORT, 'count_releases is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `count_releases_no_delete` BEFORE DELETE ON `count_releases` BEGIN SELECT RAISE(ABORT, 'count_releases is append-only'); END;

CREATE TABLE `drift_thresholds` (
	`model_version_id` text PRIMARY KEY NOT NULL,
	`max_auc` real NOT NULL,
	`max_exposure` real NOT NULL,
	`max_pii_per_1000` real NOT NULL,
	`interval_minutes` integer NOT NULL,
	`set_by` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`model_version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`set_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `leakage_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`model_version_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`error` text,
	`report` text,
	`alert` integer DEFAULT false NOT NULL,
	`requested_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`computed_at` text,
	FOREIGN KEY (`model_version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `leakage_reports_model_idx` ON `leakage_reports` (`model_version_id`,`requested_at`);--> statement-breakpoint
CREATE INDEX `leakage_reports_status_idx` ON `leakage_reports` (`status`);--> statement-breakpoint
CREATE TABLE `run_canaries` (
	`run_id` text NOT NULL,
	`idx` integer NOT NULL,
	`secret` text NOT NULL,
	`salt` text NOT NULL,
	`digest` text NOT NULL,
	`included` integer NOT NULL,
	PRIMARY KEY(`run_id`, `idx`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `canary_plan` text;
CREATE TABLE `red_team_exercises` (
	`id` text PRIMARY KEY NOT NULL,
	`model_version_id` text NOT NULL,
	`requested_by` text NOT NULL,
	`request` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`runner_id` text,
	`error` text,
	`report` text,
	`unmasked` text,
	`incident_id` text,
	`requested_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`computed_at` text,
	FOREIGN KEY (`model_version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `red_team_exercises_model_idx` ON `red_team_exercises` (`model_version_id`,`requested_at`);--> statement-breakpoint
CREATE INDEX `red_team_exercises_status_idx` ON `red_team_exercises` (`status`);
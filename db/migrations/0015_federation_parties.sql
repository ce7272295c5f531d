CREATE TABLE `federation_parties` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'invited' NOT NULL,
	`token_digest` text,
	`token_expires_at` text NOT NULL,
	`public_key` text,
	`stated_units` integer,
	`last_sequence` integer DEFAULT 0 NOT NULL,
	`last_seen_at` text,
	`last_round_id` text,
	`created_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`enrolled_at` text,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `federation_parties_name_unique` ON `federation_parties` (`name`);
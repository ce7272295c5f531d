CREATE TABLE `federation_mail` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session` text NOT NULL,
	`from_party` text,
	`to_party` text,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`from_party`) REFERENCES `federation_parties`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`to_party`) REFERENCES `federation_parties`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `federation_mail_to_idx` ON `federation_mail` (`to_party`,`id`);--> statement-breakpoint
CREATE TABLE `federation_overlaps` (
	`id` text PRIMARY KEY NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`parties` text NOT NULL,
	`reports` text DEFAULT '{}' NOT NULL,
	`most_parties_of_one_person` integer,
	`started_by` text NOT NULL,
	`started_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`finished_at` text,
	FOREIGN KEY (`started_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);

CREATE TABLE `ledger_run_contributions` (
	`run_id` text PRIMARY KEY NOT NULL,
	`dataset_id` text NOT NULL,
	`reserved_steps` integer NOT NULL,
	`charged_steps` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ledger_run_contributions_dataset_idx` ON `ledger_run_contributions` (`dataset_id`);--> statement-breakpoint
CREATE TABLE `lineage_curves` (
	`dataset_id` text PRIMARY KEY NOT NULL,
	`orders_digest` text NOT NULL,
	`reserved` text NOT NULL,
	`charged` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);

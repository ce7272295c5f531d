ALTER TABLE `datasets` ADD `federation` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `federation_rounds` ADD `run_id` text;--> statement-breakpoint
ALTER TABLE `federation_rounds` ADD `attempt` integer;
ALTER TABLE `model_versions` ADD `withdrawn_at` text;--> statement-breakpoint
ALTER TABLE `model_versions` ADD `withdrawal_reason` text;--> statement-breakpoint
ALTER TABLE `model_versions` ADD `withdrawal_incident_id` text;
CREATE TABLE `federation_declarations` (
	`dataset_version_id` text NOT NULL,
	`party_id` text NOT NULL,
	`name` text NOT NULL,
	`stated_units` integer NOT NULL,
	`public_key_sha256` text NOT NULL,
	`enrolled_at` text NOT NULL,
	PRIMARY KEY(`dataset_version_id`, `party_id`),
	FOREIGN KEY (`dataset_version_id`) REFERENCES `dataset_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`party_id`) REFERENCES `federation_parties`(`id`) ON UPDATE no action ON DELETE no action
);

CREATE TABLE `bucket_postures` (
	`org_id` text NOT NULL,
	`bucket` text NOT NULL,
	`runner_id` text NOT NULL,
	`posture` text NOT NULL,
	`reference` text NOT NULL,
	`worsening` text NOT NULL,
	`changed_at` integer NOT NULL,
	`reported_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `bucket`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);

CREATE TABLE `job_completions` (
	`job_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`lease_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`runner_id` text NOT NULL,
	`request_sha256` text NOT NULL,
	`envelope` text NOT NULL,
	`log_key` text NOT NULL,
	`event` text NOT NULL,
	`started_at` integer NOT NULL,
	`completed_at` integer NOT NULL,
	`log_seq` integer,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
ALTER TABLE `jobs` ADD `kind` text DEFAULT 'backup' NOT NULL;
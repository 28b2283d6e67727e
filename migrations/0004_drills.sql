CREATE TABLE `drill_policies` (
	`database_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`cron` text NOT NULL,
	`timezone` text NOT NULL,
	`backup` text NOT NULL,
	`target` text NOT NULL,
	`max_rto_seconds` integer,
	`assertions` text NOT NULL,
	`enabled` integer NOT NULL,
	`next_run_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `drill_policies_due` ON `drill_policies` (`enabled`,`next_run_at`);--> statement-breakpoint
CREATE TABLE `drills` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`database_id` text NOT NULL,
	`job_id` text NOT NULL,
	`backup_id` text NOT NULL,
	`trigger` text NOT NULL,
	`slot_at` integer NOT NULL,
	`target` text NOT NULL,
	`max_rto_seconds` integer,
	`assertions` text NOT NULL,
	`status` text NOT NULL,
	`attempt` integer DEFAULT 0 NOT NULL,
	`runner_id` text,
	`rto_ms` integer,
	`tables_matched` integer,
	`tables_total` integer,
	`reason` text,
	`receipt` text,
	`receipt_sha256` text,
	`runner_vkey` text,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `drills_job` ON `drills` (`job_id`);--> statement-breakpoint
CREATE INDEX `drills_org` ON `drills` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `drills_db` ON `drills` (`org_id`,`database_id`,`id`);--> statement-breakpoint
ALTER TABLE `jobs` ADD `drill_id` text;--> statement-breakpoint
ALTER TABLE `runners` ADD `vkey` text;--> statement-breakpoint
ALTER TABLE `runners` ADD `key_registered_at` integer;
CREATE TABLE `bucket_credentials` (
	`org_id` text NOT NULL,
	`bucket` text NOT NULL,
	`endpoint` text,
	`region` text NOT NULL,
	`force_path_style` integer NOT NULL,
	`access_key_id` text NOT NULL,
	`sealed_secret` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `bucket`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `restores` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`backup_id` text NOT NULL,
	`database_id` text NOT NULL,
	`token_sha256` text NOT NULL,
	`state` text NOT NULL,
	`issued_by` text NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`claimed_at` integer,
	`finished_at` integer,
	`dry_run` integer,
	`failure_stage` text,
	`failure_reason` text,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `restores_token` ON `restores` (`token_sha256`);--> statement-breakpoint
CREATE INDEX `restores_org` ON `restores` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `restores_db` ON `restores` (`org_id`,`database_id`,`id`);
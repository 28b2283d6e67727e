CREATE TABLE `prune_jobs` (
	`job_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`database_id` text NOT NULL,
	`decided_at` integer NOT NULL,
	`policy` text NOT NULL,
	`targets` text NOT NULL,
	`created_at` integer NOT NULL,
	`lease_id` text,
	`report_sha256` text,
	`expired_count` integer,
	`blocked_count` integer,
	`reported_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `retention_policies` (
	`database_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`policy` text NOT NULL,
	`decide_after` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `retention_policies_due` ON `retention_policies` (`decide_after`);--> statement-breakpoint
ALTER TABLE `backups` ADD `expired_at` integer;--> statement-breakpoint
ALTER TABLE `backups` ADD `expired_job_id` text;--> statement-breakpoint
ALTER TABLE `backups` ADD `prune_outcome` text;--> statement-breakpoint
ALTER TABLE `backups` ADD `prune_retry_at` integer;--> statement-breakpoint
CREATE INDEX `jobs_db_kind` ON `jobs` (`database_id`,`kind`,`status`);--> statement-breakpoint
-- The retention_days of the schedules of each database becomes the retention policy of that database
-- (verifier/SPEC.md section 12), the honest meaning of the old field: keep every backup younger than the
-- largest retention_days of its schedules (ties: the schedule with the smallest id), in the zone of that
-- schedule. Its retention.policy_set event goes into the outbox in this same migration, so the log says so
-- before the first prune deletes anything.
INSERT INTO `retention_policies` (`database_id`, `org_id`, `policy`, `decide_after`, `created_at`, `updated_at`)
SELECT s.`database_id`, s.`org_id`, json_object('minAgeDays', s.`retention_days`, 'timezone', s.`timezone`), 0,
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM `schedules` s
WHERE s.`id` = (SELECT s2.`id` FROM `schedules` s2 WHERE s2.`database_id` = s.`database_id`
                ORDER BY s2.`retention_days` DESC, s2.`id` LIMIT 1);--> statement-breakpoint
INSERT OR IGNORE INTO `outbox` (`org_id`, `key`, `type`, `actor`, `subject`, `data`, `created_at`)
SELECT `org_id`, 'upgrade-0007:' || `database_id`, 'retention.policy_set', 'system:upgrade', 'database:' || `database_id`,
       json_object('databaseId', `database_id`, 'policy', json(`policy`)), `created_at`
FROM `retention_policies`;--> statement-breakpoint
ALTER TABLE `schedules` DROP COLUMN `retention_days`;
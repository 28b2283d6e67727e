CREATE TABLE `alert_channels` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`conditions` text NOT NULL,
	`min_severity` text NOT NULL,
	`repeat_minutes` integer,
	`enabled` integer NOT NULL,
	`sealed_target` text NOT NULL,
	`target_sha256` text NOT NULL,
	`target_hint` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alert_channels_org` ON `alert_channels` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `alert_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`incident_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`delivered_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alert_deliveries_channel` ON `alert_deliveries` (`org_id`,`channel_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `alert_incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`condition` text NOT NULL,
	`subject` text NOT NULL,
	`open_key` text,
	`severity` text NOT NULL,
	`summary` text NOT NULL,
	`detail` text,
	`opened_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`clear_ticks` integer DEFAULT 0 NOT NULL,
	`last_notified_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_incidents_open` ON `alert_incidents` (`org_id`,`open_key`);--> statement-breakpoint
CREATE INDEX `alert_incidents_org` ON `alert_incidents` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `alert_incidents_open_all` ON `alert_incidents` (`open_key`);--> statement-breakpoint
CREATE INDEX `jobs_schedule_slot` ON `jobs` (`schedule_id`,`slot_at`);
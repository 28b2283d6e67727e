import { z } from "zod";
import { Id, Instant } from "../schema/common.js";
import { PageQuerySchema, pageOf } from "./page.js";
import { CronExpression, ProviderSchema } from "./resources.js";

// Answers about the databases an org backs up and their schedules (the requests are in resources.ts).

/** A database to back up (GET/POST /v1/databases, GET/PATCH /v1/databases/:id): never a connection string. */
export const DatabaseSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  provider: ProviderSchema,
  createdAt: Instant,
  updatedAt: Instant,
});
/** A database. */
export type Database = z.infer<typeof DatabaseSchema>;
/** GET /v1/databases. */
export const DatabasePageSchema = pageOf(DatabaseSchema);
/** A page of databases. */
export type DatabasePage = z.infer<typeof DatabasePageSchema>;

/** Answer to POST /v1/databases/:id/backups (202): the queued job and the id its backup will have. */
export const QueuedBackupSchema = z.strictObject({ jobId: Id, backupId: Id });
/** A queued manual backup. */
export type QueuedBackup = z.infer<typeof QueuedBackupSchema>;

/** A backup schedule (GET/POST /v1/schedules, GET/PATCH /v1/schedules/:id); nextRunAt is null while disabled. */
export const ScheduleSchema = z.strictObject({
  id: Id,
  databaseId: Id,
  cron: CronExpression,
  timezone: z.string().min(1),
  targetRpoMinutes: z.number().int().positive(),
  enabled: z.boolean(),
  nextRunAt: Instant.nullable(),
  createdAt: Instant,
  updatedAt: Instant,
});
/** A schedule. */
export type Schedule = z.infer<typeof ScheduleSchema>;
/** GET /v1/schedules. */
export const SchedulePageSchema = pageOf(ScheduleSchema);
/** A page of schedules. */
export type SchedulePage = z.infer<typeof SchedulePageSchema>;
/** GET /v1/schedules?databaseId=: a page, optionally of one database's schedules. */
export const ListSchedulesQuerySchema = PageQuerySchema.extend({ databaseId: Id.optional() });

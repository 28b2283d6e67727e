import { z } from "zod";
import { ALERT_CONDITIONS, ALERT_SEVERITIES, CHANNEL_KINDS, NOTICE_KINDS } from "../alert/conditions.js";
import { Id, Instant } from "../schema/common.js";
import { PageQuerySchema, pageOf } from "./page.js";
import { DisplayName, Email } from "./resources.js";

const Url = z.string().trim().min(1).max(2048);

/** Where a channel sends: a webhook URL (signed with a secret the Worker makes), a Slack incoming-webhook URL, or addresses. */
export const ChannelTargetRequestSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("webhook"), url: Url }),
  z.strictObject({ kind: z.literal("slack"), url: Url }),
  z.strictObject({ kind: z.literal("email"), to: z.array(Email).min(1).max(10) }),
]);
/** A channel's target as sent. */
export type ChannelTargetRequest = z.infer<typeof ChannelTargetRequestSchema>;

const Routing = {
  /** The conditions it receives; empty: every one. */
  conditions: z
    .array(z.enum(ALERT_CONDITIONS))
    .max(ALERT_CONDITIONS.length)
    .refine((c) => new Set(c).size === c.length, "conditions must be unique"),
  /** The least severity it receives. */
  minSeverity: z.enum(ALERT_SEVERITIES),
  /** Notify again every this many minutes while an incident stays open (5 minutes to 7 days); null: once. */
  repeatMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .nullable(),
  enabled: z.boolean(),
};

/** POST /v1/alert-channels (admin). */
export const CreateChannelRequestSchema = z.strictObject({
  name: DisplayName,
  target: ChannelTargetRequestSchema,
  conditions: Routing.conditions.default([]),
  minSeverity: Routing.minSeverity.default("warning"),
  repeatMinutes: Routing.repeatMinutes.default(240),
  enabled: Routing.enabled.default(true),
});
/** A new channel as sent. */
export type CreateChannelRequest = z.input<typeof CreateChannelRequestSchema>;

/** PATCH /v1/alert-channels/:id (admin): any of the fields; a new target replaces the old (and a webhook gets a new secret). */
export const UpdateChannelRequestSchema = z
  .strictObject({
    name: DisplayName,
    target: ChannelTargetRequestSchema,
    ...Routing,
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, "nothing to change");
/** A channel change as sent. */
export type UpdateChannelRequest = z.input<typeof UpdateChannelRequestSchema>;

/** A channel as the API shows it: never its URL, secret or addresses. */
export const ChannelSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  kind: z.enum(CHANNEL_KINDS),
  /** The kind and host (`webhook to hooks.example.com`), or the addresses' domains: enough to recognise it. */
  targetHint: z.string().min(1),
  conditions: z.array(z.enum(ALERT_CONDITIONS)),
  minSeverity: z.enum(ALERT_SEVERITIES),
  repeatMinutes: z.number().int().positive().nullable(),
  enabled: z.boolean(),
  createdAt: Instant,
  updatedAt: Instant,
});
/** A channel. */
export type Channel = z.infer<typeof ChannelSchema>;
/** GET /v1/alert-channels. */
export const ChannelPageSchema = pageOf(ChannelSchema);

/** A created (or re-targeted) webhook channel's signing secret, shown this once. */
export const CreatedChannelSchema = ChannelSchema.extend({
  webhookSecret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{32,}$/)
    .nullable(),
});
/** A channel with its new secret (webhooks) or null. */
export type CreatedChannel = z.infer<typeof CreatedChannelSchema>;

/** The delivery statuses: queued, retrying after a failure, delivered, or failed for good. */
export const DELIVERY_STATUSES = ["queued", "retrying", "delivered", "failed"] as const;

/** One notice to one channel (GET /v1/alert-channels/:id/deliveries). */
export const DeliverySchema = z.strictObject({
  id: z.string().min(1),
  channelId: Id,
  incidentId: Id,
  kind: z.enum(NOTICE_KINDS),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int().nonnegative(),
  /** The receiver's last HTTP status, if it answered. */
  lastStatus: z.number().int().nullable(),
  /** Why the last attempt failed, in a few words (never the URL, the secret or the receiver's body). */
  lastError: z.string().nullable(),
  createdAt: Instant,
  updatedAt: Instant,
  deliveredAt: Instant.nullable(),
});
/** A delivery. */
export type Delivery = z.infer<typeof DeliverySchema>;
/** POST /v1/alert-channels/:id/test: the test notice's delivery, as a list of one. */
export const DeliveryListSchema = z.strictObject({ items: z.array(DeliverySchema) });

/**
 * A deliveries page's cursor: `<createdAt>:<id>` of its last item. Delivery ids are made from their incident
 * (so a retried write is the same row) and do not sort by time, so the keyset is (createdAt, id).
 */
export const DeliveryCursor = z
  .string()
  .max(300)
  .regex(/^\d{1,16}:[A-Za-z0-9_.:-]+$/, "a cursor from the previous page's nextCursor");
/** GET /v1/alert-channels/:id/deliveries: the newest first, and the cursor of the next page (null on the last). */
export const DeliveryPageSchema = z.strictObject({
  items: z.array(DeliverySchema),
  nextCursor: DeliveryCursor.nullable(),
});

/** An incident (GET /v1/alerts): a condition holding for a subject, open or resolved. */
export const IncidentSchema = z.strictObject({
  id: Id,
  condition: z.enum(ALERT_CONDITIONS),
  subject: z.string().min(1),
  severity: z.enum(ALERT_SEVERITIES),
  summary: z.string(),
  detail: z.string().nullable(),
  openedAt: Instant,
  lastSeenAt: Instant,
  resolvedAt: Instant.nullable(),
});
/** An incident. */
export type Incident = z.infer<typeof IncidentSchema>;
/** GET /v1/alerts: incidents newest first, `?open=true` for the open ones only. */
export const IncidentPageSchema = pageOf(IncidentSchema);

/**
 * GET /v1/alerts: a page of incidents; `open=true` only the open ones, `open=false` only the resolved;
 * `subject=database:<id>` (or `runner:<id>`, …) one subject's, `condition=` one condition's.
 */
export const IncidentQuerySchema = PageQuerySchema.extend({
  open: z.enum(["true", "false"]).optional(),
  subject: z.string().min(1).max(200).optional(),
  condition: z.enum(ALERT_CONDITIONS).optional(),
});

/** GET /v1/alert-channels/:id/deliveries: `?limit=&cursor=` as every list route, with the deliveries' own cursor. */
export const DeliveryQuerySchema = PageQuerySchema.extend({ cursor: DeliveryCursor.optional() });

// @walwarden/verifier/schedule: when a schedule's cron fires in its time zone (the Worker's scheduling and the
// dashboard's preview run this one module). Its own entry point: it carries croner, not the formats' schemas.
export { type Cron, intervalSeconds, nextSlotAfter, nextSlots, parseCron } from "./cron.js";

// The Worker's cron: the one definition in the verifier (@walwarden/verifier/schedule), which the dashboard's
// schedule preview runs too, so the next runs it shows are the slots this Worker queues.
export { type Cron, intervalSeconds, nextSlotAfter, nextSlots, parseCron } from "@walwarden/verifier/schedule";

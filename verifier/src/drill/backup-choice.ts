import { z } from "zod";

/** Which backup a drill restores: the latest completed one, or one picked at random from the last N days. */
export const DrillBackupChoiceSchema = z.discriminatedUnion("pick", [
  z.strictObject({ pick: z.literal("latest") }),
  z.strictObject({ pick: z.literal("random"), withinDays: z.number().int().min(1).max(365) }),
]);
/** A drill's choice of backup. */
export type DrillBackupChoice = z.infer<typeof DrillBackupChoiceSchema>;

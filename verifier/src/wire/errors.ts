import { z } from "zod";

/** Every non-2xx API answer: a stable code and a sentence that says what was wrong. */
export const ApiErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string().min(1),
    message: z.string().min(1),
    issues: z.array(z.string()).optional(),
  }),
});
/** An API error body. */
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** A successful outcome carrying a value. */
export type Ok<T> = { ok: true; value: T };
/** An expected failure: a stable machine-readable code and a sentence for people. */
export type Err<C extends string = string> = { ok: false; code: C; message: string };
/** Expected outcomes are values, not exceptions (see docs/architecture.md). */
export type Result<T, C extends string = string> = Ok<T> | Err<C>;

/** Wraps a value as a success. */
export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
/** Builds an expected failure. */
export const err = <C extends string>(code: C, message: string): Err<C> => ({ ok: false, code, message });

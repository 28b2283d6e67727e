// A form whose problems stand at their fields (the settings forms): its values, each field's problem (typing
// into a field clears it and the form's), whether a submit is under way, and the submit itself: checked
// first, then sent; what the check or the API refuses lands at its field, and the first such field (in
// `fields` order) gets the focus, so a screen reader reads its label and problem.
import { useState } from "preact/hooks";
import { ApiError } from "../api/client.js";
import type { Checked } from "./settings-checks.js";
import { clearedAt, type Problems, problemsOfRefusal } from "./settings.js";

/** The first of `fields` that has a problem, if any. */
export function firstProblemAt<F extends string>(fields: readonly F[], problems: Problems<F>): F | undefined {
  return fields.find((k) => problems[k] !== undefined);
}

/** A failed submit's problems: an API refusal at its field (a 409 at `conflictAt`), anything else the form's. */
export function problemsOfFailure<F extends string>(err: unknown, fields: readonly F[], conflictAt?: F): Problems<F> {
  return err instanceof ApiError
    ? problemsOfRefusal(err, fields, conflictAt)
    : ({ form: `Could not check the form: ${String(err)}` } as Problems<F>);
}

/** What a form renders from and calls. */
export interface FieldForm<T, F extends Extract<keyof T, string>> {
  f: T;
  problems: Problems<F>;
  busy: boolean;
  /** Sets one field, clearing its problem and the form's. */
  set: <K extends F>(field: K, value: T[K]) => void;
  /** The form's onSubmit: `check` the values, then `send` what passed; refusals land at their fields. */
  submit: <B>(check: (f: T) => Promise<Checked<F, B>>, send: (body: B) => Promise<void>) => (e: Event) => Promise<void>;
}

/** The state of a form starting at `initial`, whose field `k` is the element with id `fieldId(k)`. */
export function useFieldForm<T extends object, F extends Extract<keyof T, string>>(
  initial: T,
  fields: readonly F[],
  fieldId: (field: F) => string,
  conflictAt?: F,
): FieldForm<T, F> {
  const [f, setF] = useState<T>(initial);
  const [problems, setProblems] = useState<Problems<F>>({});
  const [busy, setBusy] = useState(false);
  const refused = (p: Problems<F>) => {
    setProblems(p);
    const first = firstProblemAt(fields, p);
    if (first) document.getElementById(fieldId(first))?.focus();
  };
  return {
    f,
    problems,
    busy,
    set: (field, value) => {
      setF((old) => ({ ...old, [field]: value }));
      setProblems((old) => clearedAt<F>(old, field));
    },
    submit: (check, send) => async (e) => {
      e.preventDefault();
      setBusy(true);
      try {
        const checked = await check(f);
        if (!checked.ok) return refused(checked.problems);
        await send(checked.body);
      } catch (err) {
        refused(problemsOfFailure(err, fields, conflictAt));
      } finally {
        setBusy(false);
      }
    },
  };
}

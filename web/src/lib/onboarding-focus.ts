// After a refused submit, focus moves to the first field with a problem: a screen reader then reads its label
// and, through aria-describedby, the problem (the problems are not announced as alerts each).
import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";

/** Focuses the first `aria-invalid` field in `form` whenever `problems` is a new set with a field's problem. */
export function useFocusFirstProblem(form: RefObject<HTMLFormElement | null>, problems: Record<string, unknown>): void {
  useEffect(() => {
    if (!Object.keys(problems).some((k) => k !== "form")) return;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [form, problems]);
}

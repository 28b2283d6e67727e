// The onboarding checks (lib/onboarding-checks.ts: the API's wire schemas) loaded on first use into the
// verifier's chunk, so the sign-in page and the checklist draw before zod arrives.

/** The checks module. */
export type OnboardingChecks = typeof import("./onboarding-checks.js");

let loading: Promise<OnboardingChecks> | undefined;

/** Loads the checks once (a failed load is tried again next time); every caller gets the same module. */
export function loadOnboardingChecks(): Promise<OnboardingChecks> {
  loading ??= import("./onboarding-checks.js").catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

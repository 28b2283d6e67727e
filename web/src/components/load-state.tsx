import type { ApiError } from "../api/client.js";

/** A failed load, in words, with a retry; or a quiet "Loading…" while nothing is shown yet. */
export function LoadState({
  error,
  loading,
  what,
  retry,
}: {
  error: ApiError | undefined;
  loading: boolean;
  what: string;
  retry?: () => void;
}) {
  if (error) {
    return (
      <div class="alert error" role="alert">
        <p>
          Could not load {what}: {error.message}
        </p>
        {retry ? (
          <button type="button" class="secondary" onClick={retry}>
            Try again
          </button>
        ) : null}
      </div>
    );
  }
  if (loading)
    return (
      <p class="muted" role="status">
        Loading {what}…
      </p>
    );
  return null;
}

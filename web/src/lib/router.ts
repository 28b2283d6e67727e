// A tiny router over the History API: the dashboard's screens are paths (/databases/db_…), and the server
// answers index.html for any of them (single-page-application fallback), so links can be shared.
import { useEffect, useState } from "preact/hooks";

export { matchPath } from "./match-path.js";

/** Where the app is: the path and its query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();
const current = (): Location => ({
  path: window.location.pathname,
  query: new URLSearchParams(window.location.search),
});

window.addEventListener("popstate", () => {
  for (const l of listeners) l();
});

/** Goes to `to` (a path with an optional query) without reloading; `replace` keeps history short. */
export function navigate(to: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

/** The current location; re-renders on navigation. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = () =>
      setLoc((old) =>
        old.path === window.location.pathname && old.query.toString() === window.location.search.replace(/^\?/, "")
          ? old
          : current(),
      );
    listeners.add(l);
    // A child's effect (a redirect) may have navigated before this listener existed.
    l();
    return () => void listeners.delete(l);
  }, []);
  return loc;
}

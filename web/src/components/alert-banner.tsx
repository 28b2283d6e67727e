import { useEffect, useRef } from "preact/hooks";
import { getJson } from "../api/client.js";
import { bannerFor, type IncidentPage } from "../lib/alerts.js";
import { useLocation } from "../lib/router.js";
import { useApi } from "../lib/use-api.js";
import { Link } from "./link.js";
import { SeverityBadge } from "./alert-badges.js";

/** How often the banner asks for open alerts: as often as the databases screen refreshes. */
const POLL_MS = 15_000;

/**
 * The open alerts above every screen: how many, the most severe one's summary and a link to the alerts
 * screen. A critical one is role="alert" (announced at once); otherwise role="status". Nothing when none.
 */
export function AlertBanner() {
  const open = useApi("alerts:open", () => getJson<IncidentPage>("/v1/alerts?open=true&limit=200"), POLL_MS);
  // Asked again on each navigation too, so moving to another screen never shows an alert already resolved.
  const { path } = useLocation();
  const seen = useRef(path);
  const reload = open.reload;
  useEffect(() => {
    if (seen.current === path) return;
    seen.current = path;
    void reload();
  }, [path, reload]);
  const banner = open.data ? bannerFor(open.data.items) : null;
  // A failed poll keeps the last answer; the alerts screen says when it cannot load them.
  if (!banner) return null;
  return (
    <div class={`alert-banner ${banner.worst.severity}`} role={banner.role} data-open-alerts={open.data?.items.length}>
      <SeverityBadge severity={banner.worst.severity} /> <strong>{banner.count}</strong>
      <span class="banner-summary">{banner.worst.summary}</span>
      <Link href="/alerts">See alerts</Link>
    </div>
  );
}

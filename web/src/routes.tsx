import { useEffect } from "preact/hooks";
import { matchPath, navigate, useLocation } from "./lib/router.js";
import { screenTitle } from "./lib/format.js";
import { usePreferences } from "./lib/preferences-hooks.js";
import { AlertsScreen } from "./screens/alerts.js";
import { ChannelsScreen } from "./screens/channels.js";
import { AuditLogScreen } from "./screens/audit-log.js";
import { BackupScreen } from "./screens/backup.js";
import { DatabaseScreen } from "./screens/database.js";
import { DatabasesScreen } from "./screens/databases.js";
import { DrillScreen } from "./screens/drill.js";
import { EvidenceScreen } from "./screens/evidence.js";
import { JobsScreen } from "./screens/jobs.js";
import { RestoreScreen } from "./screens/restore.js";
import { RestoresScreen } from "./screens/restores.js";
import { RunnersScreen } from "./screens/runners.js";
import { WelcomeScreen } from "./screens/welcome.js";
import { WitnessesScreen } from "./screens/witnesses.js";
import { SettingsScreen } from "./screens/settings.js";
import { SettingsBucketsScreen } from "./screens/settings-buckets.js";
import { SettingsTokensScreen } from "./screens/settings-tokens.js";
import { SettingsUsersScreen } from "./screens/settings-users.js";
import { Link } from "./components/link.js";

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** Which screen a path shows. */
export function Routes() {
  const { path } = useLocation();
  // Every screen renders again when the time zone changes (times are formatted in it), and has its title.
  usePreferences();
  useEffect(() => {
    document.title = screenTitle(path);
  }, [path]);
  useEffect(() => () => void (document.title = "Walwarden"), []);
  const m = (pattern: string) => matchPath(pattern, path);
  let p: Record<string, string> | null;
  if (path === "/" || path === "/index.html") return <Redirect to="/databases" />;
  if (m("/databases")) return <DatabasesScreen />;
  if ((p = m("/databases/:id"))) return <DatabaseScreen id={p.id!} />;
  if ((p = m("/backups/:id"))) return <BackupScreen id={p.id!} />;
  if ((p = m("/drills/:id"))) return <DrillScreen id={p.id!} />;
  if (m("/restores")) return <RestoresScreen />;
  if ((p = m("/restores/:id"))) return <RestoreScreen id={p.id!} />;
  if (m("/log")) return <AuditLogScreen />;
  if (m("/jobs")) return <JobsScreen />;
  if (m("/runners")) return <RunnersScreen />;
  if (m("/witnesses")) return <WitnessesScreen />;
  if (m("/welcome")) return <WelcomeScreen />;
  if (m("/evidence")) return <EvidenceScreen />;
  if (m("/alerts")) return <AlertsScreen />;
  if (m("/alerts/channels")) return <ChannelsScreen />;
  if (m("/settings")) return <SettingsScreen />;
  if (m("/settings/users")) return <SettingsUsersScreen />;
  if (m("/settings/tokens")) return <SettingsTokensScreen />;
  if (m("/settings/buckets")) return <SettingsBucketsScreen />;
  return (
    <>
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. <Link href="/databases">Go to the databases</Link>.
      </p>
    </>
  );
}

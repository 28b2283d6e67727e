import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { postJson } from "./api/client.js";
import type { Me } from "@walwarden/verifier/wire";
import { AlertBanner } from "./components/alert-banner.js";
import { Link } from "./components/link.js";
import { ThemeToggle } from "./components/theme-toggle.js";
import { Truncated } from "./components/truncated.js";
import { ZoneToggle } from "./components/zone-toggle.js";
import { useLocation } from "./lib/router.js";

const NAV = [
  { href: "/welcome", label: "Get started" },
  { href: "/databases", label: "Databases" },
  { href: "/jobs", label: "Jobs" },
  { href: "/restores", label: "Restores" },
  { href: "/log", label: "Audit log" },
  { href: "/runners", label: "Runners" },
  { href: "/witnesses", label: "Witnesses" },
  { href: "/alerts", label: "Alerts" },
  { href: "/evidence", label: "Evidence" },
  { href: "/settings", label: "Settings" },
];

/** The frame around every screen: skip link, org and user, navigation, sign out; focus moves to the screen on navigation. */
export function Shell({ me, onSignedOut, children }: { me: Me; onSignedOut: () => void; children: ComponentChildren }) {
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path]);
  // On a phone the navigation is one line that scrolls sideways: the current screen's link is kept in view.
  // (Scrolled by hand: scrollIntoView would also scroll the page, away from a #fragment it was opened at.)
  useEffect(() => {
    const link = document.querySelector(".nav [aria-current='page']");
    const strip = link?.closest("ul");
    if (!link || !strip || strip.scrollWidth <= strip.clientWidth) return;
    const [l, s] = [link.getBoundingClientRect(), strip.getBoundingClientRect()];
    strip.scrollLeft += l.left - s.left - (strip.clientWidth - l.width) / 2;
  }, [path]);
  const who = me.principal.kind === "user" ? me.principal.email : me.principal.id;
  return (
    <>
      {/* biome-ignore lint/a11y/useValidAnchor: a real link for the hash; the handler also moves focus, which a hash jump does not do in this single-page app. */}
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>{" "}
          Walwarden
        </div>
        <div class="who">
          <Truncated text={me.org?.name ?? me.principal.orgId} class="org" />
          <span class="muted">
            <Truncated text={who} /> · {me.principal.role}
          </span>
          <span class="prefs">
            <ThemeToggle />
            <ZoneToggle />
          </span>
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              await postJson("/v1/auth/logout").catch(() => undefined);
              onSignedOut();
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <nav class="nav" aria-label="Main">
        <ul>
          {NAV.map((n) => (
            <li key={n.href}>
              <Link href={n.href} current={path.startsWith(n.href)}>
                {n.label}
              </Link>
            </li>
          ))}
          <li>
            <a href="/verify.html" target="_blank" rel="noopener">
              Verify offline ↗
            </a>
          </li>
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        <AlertBanner />
        {children}
      </main>
    </>
  );
}

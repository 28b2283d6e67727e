import type { ComponentChildren } from "preact";
import { navigate } from "../lib/router.js";

/** An in-app link: a real <a href> (keyboard, middle-click, copy link all work) that navigates without a reload. */
export function Link({
  href,
  children,
  class: cls,
  title,
  current,
}: {
  href: string;
  children: ComponentChildren;
  class?: string;
  title?: string;
  current?: boolean;
}) {
  return (
    <a
      href={href}
      class={cls}
      title={title}
      aria-current={current ? "page" : undefined}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

/** Text that may be long (a database name, a hash): cut with an ellipsis by CSS, the whole value in its title. */
export function Truncated({ text, display, class: cls }: { text: string; display?: string; class?: string }) {
  return (
    <span class={`truncate ${cls ?? ""}`} title={text}>
      {display ?? text}
    </span>
  );
}

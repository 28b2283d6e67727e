import { SELF } from "cloudflare:test";

/** One parsed Server-Sent Event (comments and `retry:` are not events). */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Opens a restore's event stream as a viewer, optionally resuming after `lastEventId`. */
export async function subscribe(restoreId: string, token: string, lastEventId?: string): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "text/event-stream" };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  const res = await SELF.fetch(`https://walwarden.test/v1/restores/${restoreId}/events`, { headers });
  if (res.status !== 200) throw new Error(`subscribe: ${res.status} ${await res.text()}`);
  return res;
}

/** Parses SSE text (whole events only) as the EventSource algorithm does for id, event and data fields. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split("\n\n")) {
    let id: string | undefined;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length > 0) events.push({ ...(id !== undefined ? { id } : {}), event, data: data.join("\n") });
  }
  return events;
}

/** Reads a stream to its end (the server closes it at a terminal state) and returns its events. */
export async function readEvents(res: Response): Promise<SseEvent[]> {
  return parseSse(await res.text());
}

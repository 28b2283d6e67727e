import { describe, expect, it } from "vitest";
import type { ProgressRequest, RestoreApi } from "../api/restore-api.js";
import { WorkerReporter } from "./worker-reporter.js";

/** A RestoreApi that records progress posts at the fake clock's time. */
function recorder(clock: { t: number }) {
  const posts: { at: number; p: ProgressRequest }[] = [];
  const api: RestoreApi = {
    claim: async () => ({ ok: false, code: "unreachable", message: "" }),
    transition: async () => ({ ok: true, value: { state: "restoring", seq: 1 } }),
    progress: async (_id, _token, p) => {
      posts.push({ at: clock.t, p });
      return true;
    },
  };
  return { api, posts };
}

const p = (bytes: number): ProgressRequest => ({ phase: "restoring", bytes, totalBytes: 100, bytesPerSecond: 1 });
const flush = () => new Promise((r) => setTimeout(r, 300));

describe("WorkerReporter", () => {
  it("posts the first progress at once, then at most once a second, and re-sends every 10 s when nothing changes", async () => {
    const clock = { t: 0 };
    const { api, posts } = recorder(clock);
    const r = new WorkerReporter(api, "rs_1", "wwp_x", () => clock.t);
    clock.t = 5_000;
    r.progress(p(1));
    clock.t = 5_200;
    r.progress(p(2));
    r.progress(p(3));
    await flush(); // the timer ticks: under a second since the first post, nothing more
    expect(posts.map((x) => x.p.bytes)).toEqual([1]);
    clock.t = 6_000;
    await flush(); // a second later the latest goes out
    expect(posts.map((x) => [x.at, x.p.bytes])).toEqual([
      [5_000, 1],
      [6_000, 3],
    ]);
    clock.t = 12_000;
    await flush(); // nothing new, under 10 s: quiet
    expect(posts).toHaveLength(2);
    clock.t = 16_000;
    await flush(); // 10 s without a post: the latest again, so the Worker knows the restore is alive
    expect(posts.map((x) => [x.at, x.p.bytes])).toEqual([
      [5_000, 1],
      [6_000, 3],
      [16_000, 3],
    ]);
    r.stop();
    clock.t = 40_000;
    await flush();
    expect(posts).toHaveLength(3);
  });

  it("counts posts the Worker did not accept", async () => {
    const api: RestoreApi = {
      claim: async () => ({ ok: false, code: "unreachable", message: "" }),
      transition: async () => ({ ok: false, code: "unreachable", message: "" }),
      progress: async () => false,
    };
    const r = new WorkerReporter(api, "rs_1", "wwp_x");
    r.progress(p(1));
    await flush();
    r.stop();
    expect(r.lostProgress).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import {
  comparePinned,
  describeVkey,
  pin,
  PINNED_KEYS_STORAGE_KEY,
  readPinned,
  type KeyValueStore,
} from "./pinned-keys.js";

const store = (): KeyValueStore & { map: Map<string, string> } => {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
};
const published = {
  origin: "w.example/log",
  checkpoint: ["w.example/checkpoint+aa+K1"],
  manifest: ["w.example/manifest+bb+K2"],
};

describe("trust on first use", () => {
  it("pins the published keys on first use and says so", () => {
    const s = store();
    const c = comparePinned(s, published, new Date("2026-11-24T00:00:00Z"));
    expect(c.state).toBe("first-use");
    expect(readPinned(s)).toEqual({ ...published, pinnedAt: "2026-11-24T00:00:00.000Z" });
  });
  it("matches while the same keys are published", () => {
    const s = store();
    pin(s, published);
    expect(comparePinned(s, published).state).toBe("match");
  });
  it("reports a published key that was not pinned, and never pins it by itself", () => {
    const s = store();
    const pinned = pin(s, published);
    const rotated = { ...published, manifest: ["w.example/manifest+cc+K3", ...published.manifest] };
    const c = comparePinned(s, rotated);
    expect(c).toMatchObject({
      state: "changed",
      added: ["w.example/manifest+cc+K3"],
      removed: [],
      originChanged: false,
    });
    expect(readPinned(s)).toEqual(pinned);
  });
  it("reports a replaced key and a changed origin", () => {
    const s = store();
    pin(s, published);
    const c = comparePinned(s, {
      origin: "evil.example/log",
      checkpoint: ["x/checkpoint+dd+K4"],
      manifest: published.manifest,
    });
    expect(c).toMatchObject({
      state: "changed",
      added: ["x/checkpoint+dd+K4"],
      removed: ["w.example/checkpoint+aa+K1"],
      originChanged: true,
    });
  });
  it("a pinned key no longer published is no change (verification keeps what is pinned)", () => {
    const s = store();
    pin(s, { ...published, manifest: [...published.manifest, "w.example/manifest+ee+old"] });
    expect(comparePinned(s, published).state).toBe("match");
  });
  it("treats unreadable storage as nothing pinned", () => {
    const s = store();
    s.map.set(PINNED_KEYS_STORAGE_KEY, "{not json");
    expect(readPinned(s)).toBeUndefined();
    s.map.set(PINNED_KEYS_STORAGE_KEY, JSON.stringify({ origin: 1 }));
    expect(comparePinned(s, published).state).toBe("first-use");
  });
  it("describes a vkey by name and key id", () => {
    expect(describeVkey("w.example/checkpoint+a1b2c3d4+AQID")).toBe("w.example/checkpoint (a1b2c3d4)");
  });
});

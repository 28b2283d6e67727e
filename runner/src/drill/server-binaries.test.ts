import { describe, expect, it } from "vitest";
import { chooseServer } from "./server-binaries.js";

const s = (major: number) => ({ dir: `/usr/lib/postgresql/${major}/bin`, version: `${major}.2`, major });

describe("chooseServer", () => {
  it("picks the oldest server whose major is at least the dump's pg_dump major (the fingerprint is per major)", () => {
    const same = chooseServer([s(14), s(17), s(15)], "15.18", []);
    expect(same.ok && same.value.major).toBe(15);
    const newer = chooseServer([s(14), s(18), s(17)], "15.18", []);
    expect(newer.ok && newer.value.major).toBe(17);
  });

  it("says what is installed and what to install when every server is older than the dump", () => {
    const r = chooseServer([s(14)], "16.4", ["/usr/lib/postgresql/14/bin"]);
    expect(!r.ok && r.message).toMatch(
      /major 16 or newer.*found only 14\.2.*install postgresql-16.*drills\.local\.binDirs/,
    );
    const none = chooseServer([], "16.4", []);
    expect(!none.ok && none.message).toMatch(/found none/);
  });
});

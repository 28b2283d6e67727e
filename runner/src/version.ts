import { readFileSync } from "node:fs";

/** This runner's version (package.json), reported on claim and recorded in every manifest. */
export const RUNNER_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

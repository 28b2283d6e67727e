// @walwarden/cli: the operator's CLI. The program is bin/walwarden; these exports are for tests.
export { CLI_VERSION } from "./version.js";

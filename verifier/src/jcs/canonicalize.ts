// The JCS module's entry point: RFC 8785 serialization and the strict canonical parser.
export { canonicalize, canonicalBytes } from "./serialize.js";
export { parseCanonical, type ParseCanonicalError } from "./parse-canonical.js";

// The JCS module's entry point: RFC 8785 serialization and the strict canonical parser.
export { canonicalize, canonicalBytes } from "./serialize.js";
export { parseCanonical, parseCanonicalText, type ParseCanonicalError } from "./parse-canonical.js";

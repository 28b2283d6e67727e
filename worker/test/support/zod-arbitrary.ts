import fc from "fast-check";
import { z } from "zod";

// Values shaped by a wire schema, for fuzzing. zod-fast-check supports neither zod 4 nor fast-check 4, so
// this walks the JSON Schema zod 4 itself derives (z.toJSONSchema, as a client would see the input): the
// keywords the wire's request schemas use, nothing more. Refinements and transforms are not in JSON Schema,
// and bounds are generated with their neighbours just outside, so some values break the schema: a fuzzer
// wants values at the boundary as much as inside it.

/** The JSON Schema keywords the wire's request schemas produce. */
export interface JsonSchema {
  type?: "string" | "integer" | "number" | "boolean" | "null" | "object" | "array";
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** The JSON Schema of what `schema` accepts as input. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** Generated collections stay small: the fuzz is about shapes, and huge values are a mutation of their own. */
const MAX_ITEMS = 4;
const MAX_TEXT = 40;

/** A JSON Schema pattern as a RegExp: with the `u` flag (\p{…} needs it) where it is valid so. */
function regexOf(pattern: string): RegExp {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return new RegExp(pattern);
  }
}

function stringOf(s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? Number.POSITIVE_INFINITY, Math.max(min, MAX_TEXT));
  const fits = (v: string) => v.length >= min && v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY);
  // A format's own generator first: zod's date-time and email regexes are too long for stringMatching to
  // hit often, and any ISO instant fits both the wire's instant patterns.
  if (s.format === "date-time")
    return fc
      .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (s.format === "email") return fc.emailAddress().filter(fits);
  if (s.format === "uri") return fc.webUrl().filter(fits);
  if (s.pattern) return fc.stringMatching(regexOf(s.pattern)).filter(fits);
  return fc.oneof(
    fc.string({ minLength: min, maxLength: max, unit: "grapheme" }),
    fc.string({ minLength: min, maxLength: max, unit: "binary" }),
  );
}

function numberOf(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (integer ? 1 : 0) : undefined);
  const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (integer ? 1 : 0) : undefined);
  if (integer) {
    const min = lo ?? -Number.MAX_SAFE_INTEGER;
    const max = hi ?? Number.MAX_SAFE_INTEGER;
    // Mostly small values, always both bounds and their neighbours outside.
    return fc.oneof(
      fc.integer({ min: Math.max(min, -1000), max: Math.min(max, Math.max(min, -1000) + 2000) }),
      fc.constantFrom(min, max, min - 1, max + 1),
      fc.maxSafeInteger().filter((n) => n >= min && n <= max),
    );
  }
  return fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
}

/** Values shaped by a JSON Schema: every required property, any subset of the optional ones. */
export function arbitraryOfJson(s: JsonSchema): fc.Arbitrary<unknown> {
  if (s.anyOf) return fc.oneof(...s.anyOf.map(arbitraryOfJson));
  if (s.enum) return fc.constantFrom(...s.enum);
  if ("const" in s) return fc.constant(s.const);
  switch (s.type) {
    case "string":
      return stringOf(s);
    case "integer":
      return numberOf(s, true);
    case "number":
      return numberOf(s, false);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.min(s.maxItems ?? MAX_ITEMS, Math.max(minLength, MAX_ITEMS));
      return fc.array(s.items ? arbitraryOfJson(s.items) : fc.jsonValue(), { minLength, maxLength });
    }
    case "object": {
      const props = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, arbitraryOfJson(v)]));
      return fc.record(props, { requiredKeys: s.required ?? [] });
    }
    default:
      return fc.jsonValue();
  }
}

/** Values shaped by a zod schema's input. */
export const arbitraryOf = (schema: z.ZodType) => arbitraryOfJson(jsonSchemaOf(schema));

/** The schema of the value at `path` inside a value of `s` (undefined when `s` says nothing about it). */
export function schemaAt(s: JsonSchema, path: (string | number)[]): JsonSchema | undefined {
  let at: JsonSchema | undefined = s;
  for (const step of path) {
    if (!at) return undefined;
    const branches: JsonSchema[] = at.anyOf ?? [at];
    const next: JsonSchema | undefined = branches
      .map((b) => (typeof step === "number" ? b.items : b.properties?.[step]))
      .find((b) => b !== undefined);
    at = next;
  }
  return at;
}

// Command-line flags for bench scripts: node:util parseArgs with a usage text, and integer flags checked
// against a range, so a bad flag exits 2 with a message that names it.
import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses argv with `options` (parseArgs form); prints `help` and exits 0 on --help, exits 2 on a bad flag. */
export function benchFlags(
  options: Options,
  help: string,
): {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  intFlag(name: string, min: number, max?: number): number;
} {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({
      options: { ...options, help: { type: "boolean", short: "h", default: false } },
      strict: true,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${help}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(help);
    process.exit(0);
  }
  /** The integer flag `name`, which must lie in [min, max]; exits 2 otherwise. */
  const intFlag = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const raw = values[name];
    const v = Number(raw);
    if (typeof raw !== "string" || !/^\d+$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
      console.error(`--${name} takes an integer from ${min} to ${max}, got ${JSON.stringify(raw)}\n\n${help}`);
      process.exit(2);
    }
    return v;
  };
  return { values, intFlag };
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "./redact.js";

// Generated secrets in every shape a failure reason or log line carries them, inside ordinary text. What is
// asserted: no secret survives whole, no 4-character piece of it survives that the text around it does not
// also contain, the text around it is left exactly as it was, and a second pass changes nothing.

const chars = (s: string) => fc.constantFrom(...s);
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL = `${ALNUM}_-`;
/** What a password in a URL may contain besides letters and digits (RFC 3986 says / @ : % should be encoded; people don't). */
const URL_SPECIAL = `/@:%!$*+,;=._~-#?&'"()[]`;

const word = fc.constantFrom(
  "pg_dump:",
  "error:",
  "connection",
  "to",
  "server",
  "at",
  '"db.internal"',
  "(10.0.0.5),",
  "port",
  "5432",
  "failed:",
  "FATAL:",
  "password",
  "authentication",
  "token",
  "expired",
  "for",
  "user",
  '"app"',
  "could",
  "not",
  "translate",
  "host",
  "name",
  "timeout",
  "retrying",
  "in",
  "8",
  "s",
  "attempt",
  "3/5",
  "s3://acme-backups/walwarden/db_1/2026/01/01/bkp_1.dump.zst",
  "https://s3.eu-west-1.amazonaws.com:443/acme/key.dump",
  "ops@example.com",
  "host=db.internal",
  "sslmode=require",
  "user=app",
  "X-Amz-Date=20260101T000000Z",
  "X-Amz-Expires=900",
  "2026-01-01T03:00:00.000Z",
  "—",
  "é",
  "✓",
);
/** Ordinary text: words of real failure reasons, with nothing secret in them. */
const ordinary = fc.array(word, { minLength: 0, maxLength: 12 }).map((ws) => ws.join(" "));

/** A shape: the text holding the secret, the secret's forms as they appear in it, and the text without it. */
interface Shaped {
  text: string;
  forms: string[];
  template: string;
}
const shaped = (make: (s: string) => string, secret: string, forms: (s: string) => string[] = (s) => [s]): Shaped => ({
  text: make(secret),
  forms: forms(secret),
  template: make(REDACTED),
});

const urlPassword = fc
  .tuple(
    fc.constantFrom("postgres", "postgresql", "mysql", "redis", "amqps", "mongodb+srv", "https"),
    fc.string({ unit: chars("abcdefghijklmnopqrstuvwxyz0123456789_"), minLength: 0, maxLength: 12 }),
    fc.string({ unit: chars(ALNUM + URL_SPECIAL), minLength: 3, maxLength: 30 }),
    chars("/@:%"),
    fc.string({ unit: chars(ALNUM + URL_SPECIAL), minLength: 3, maxLength: 30 }),
    fc.constantFrom("prod-db", "db.internal:5432", "10.0.0.5", "[::1]:6543"),
    fc.constantFrom("/app", "/app?sslmode=require", "", "/"),
  )
  .map(([scheme, user, a, special, b, host, path]) =>
    shaped((p) => `${scheme}://${user}:${p}@${host}${path}`, `${a}${special}${b}`),
  );

const SECRET_KEYS = [
  "PGPASSWORD",
  "password",
  "passwd",
  "DB_PASSWORD",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "GITHUB_TOKEN",
  "api_key",
  "CLIENT_SECRET",
  "secret",
  "pwd",
];
const envValue = fc.oneof(
  // Unquoted: ends at whitespace, a quote or & (the next query parameter).
  fc
    .string({ unit: chars(`${ALNUM}/@:%!$*+,;=._~-#?()[]{}<>|\\`), minLength: 8, maxLength: 40 })
    .map((v) => ({ v, q: "" })),
  fc.string({ unit: chars(`${ALNUM} /@:%!$*+,;="._~-`), minLength: 8, maxLength: 40 }).map((v) => ({ v, q: "'" })),
  fc.string({ unit: chars(`${ALNUM} /@:%!$*+,;='._~-`), minLength: 8, maxLength: 40 }).map((v) => ({ v, q: '"' })),
);
const keyValue = fc
  .tuple(fc.constantFrom(...SECRET_KEYS), fc.constantFrom("=", ": ", " = ", ":"), envValue)
  .map(([key, sep, { v, q }]) => shaped((s) => `${key}${sep}${q}${s}${q}`, v));

/** A JSON field, in a document that may itself be escaped into a string 0–2 times (logs of logs). */
const jsonField = fc
  .tuple(
    fc.constantFrom(
      "password",
      "secret",
      "token",
      "apiKey",
      "accessToken",
      "clientSecret",
      "secretAccessKey",
      "private_key",
    ),
    fc.string({ unit: "grapheme-ascii", minLength: 8, maxLength: 40 }),
    fc.integer({ min: 0, max: 2 }),
  )
  .map(([name, value, depth]) => {
    const nest = (s: string) => {
      let out = s;
      for (let i = 0; i < depth; i++) out = JSON.stringify(out);
      return out;
    };
    const doc = (v: string) => nest(JSON.stringify({ user: "app", [name]: v, host: "db" }));
    // The value as it appears at that depth: JSON-escaped depth + 1 times, without the outer quotes.
    let form = value;
    for (let i = 0; i <= depth; i++) form = JSON.stringify(form).slice(1, -1);
    return { text: doc(value), forms: [form], template: doc(REDACTED) };
  });

const PRODUCT_PREFIXES = ["wwr_", "wwo_", "wwp_", "wwt_", "wws_"];
const productToken = fc
  .tuple(fc.constantFrom(...PRODUCT_PREFIXES), fc.string({ unit: chars(B64URL), minLength: 43, maxLength: 43 }))
  .map(([prefix, rest]) => ({ prefix, rest }));
const genericToken = fc
  .tuple(fc.string({ unit: chars(`${ALNUM}._~+/-`), minLength: 16, maxLength: 64 }), fc.constantFrom("", "=", "=="))
  .map(([t, pad]) => t + pad);
const bearer = fc.oneof(
  fc
    .tuple(
      productToken,
      fc.constantFrom<[string, string]>(
        ["Authorization: Bearer ", ""],
        ["authorization: bearer ", ""],
        ["Bearer ", ""],
        ['{"authorization":"Bearer ', '"}'],
      ),
    )
    .map(([{ prefix, rest }, [lead, end]]) => shaped((s) => `${lead}${prefix}${s}${end}`, rest)),
  fc
    .tuple(genericToken, fc.constantFrom("Authorization: Bearer ", "Bearer ", "BEARER\t"))
    .map(([t, lead]) => shaped((s) => `${lead}${s}`, t)),
  // A product token quoted on its own, with no Bearer before it.
  fc
    .tuple(productToken, fc.constantFrom("runner token ", "(", "token="))
    .map(([{ prefix, rest }, lead]) => shaped((s) => `${lead}${prefix}${s}`, rest)),
);

const hex = (n: number) => fc.string({ unit: chars("0123456789abcdef"), minLength: n, maxLength: n });
const upper = (n: number) => fc.string({ unit: chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), minLength: n, maxLength: n });
/** A SigV4 presigned URL: the credential (access key id), the security token and the signature are secrets. */
const amzQuery = fc
  .tuple(upper(16), hex(64), fc.option(fc.string({ unit: chars(`${ALNUM}%`), minLength: 40, maxLength: 120 })))
  .map(([keyId, signature, token]) => {
    const url = (k: string, sig: string, tok: string | null) =>
      `https://acme.s3.eu-west-1.amazonaws.com/db_1/bkp_1.dump?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${k}%2F20260101%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900${tok === null ? "" : `&X-Amz-Security-Token=${tok}`}&X-Amz-SignedHeaders=host&X-Amz-Signature=${sig}`;
    return {
      text: url(`AKIA${keyId}`, signature, token),
      forms: [`AKIA${keyId}`, signature, ...(token === null ? [] : [token])],
      template: url(REDACTED, REDACTED, token === null ? null : REDACTED),
    };
  });

const awsSecretKey = fc
  .tuple(
    fc.string({ unit: chars(`${ALNUM}/+`), minLength: 40, maxLength: 40 }),
    fc.constantFrom(
      (k: string) => `AWS_SECRET_ACCESS_KEY=${k}`,
      (k: string) => `aws_secret_access_key = ${k}`,
      (k: string) => `"SecretAccessKey": "${k}"`,
      (k: string) => `secretAccessKey: '${k}'`,
      (k: string) => `{"accessKeyId":"AKIAEXAMPLE","secretAccessKey":"${k}"}`,
    ),
  )
  .map(([k, make]) => shaped(make, k));

const SHAPES: [string, fc.Arbitrary<Shaped>][] = [
  ["a URL's password containing / @ : or %", urlPassword],
  ["a key=value, KEY: value or KEY='quoted value'", keyValue],
  ["a JSON field named password, secret, token, …", jsonField],
  ["a Bearer credential or a Walwarden token (wwr_ wwo_ wwp_ wwt_ wws_)", bearer],
  ["an AWS presigned URL's X-Amz-Credential, X-Amz-Security-Token and X-Amz-Signature", amzQuery],
  ["an AWS secret access key", awsSecretKey],
];

/** The 4-character pieces of `secret` that ordinary surroundings cannot explain. */
function tellTalePieces(secret: string, surroundings: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 4 <= secret.length; i++) {
    const piece = secret.slice(i, i + 4);
    if (!surroundings.includes(piece)) out.push(piece);
  }
  return out;
}

describe("redactSecrets, property-tested with generated secrets", () => {
  it.each(SHAPES)("%s: never survives, and the text around it is untouched", (_name, shape) => {
    fc.assert(
      fc.property(ordinary, shape, ordinary, (before, s, after) => {
        const text = `${before} ${s.text} ${after}`;
        const out = redactSecrets(text);
        for (const form of s.forms) {
          expect(out).not.toContain(form);
          for (const piece of tellTalePieces(form, `${before} ${s.template} ${after}`))
            expect(out).not.toContain(piece);
        }
        expect(out.startsWith(`${before} `)).toBe(true);
        expect(out.endsWith(` ${after}`)).toBe(true);
        expect(redactSecrets(out)).toBe(out);
      }),
      { numRuns: 400 },
    );
  });

  it("a known secret of any characters never survives, raw or percent-encoded", () => {
    fc.assert(
      fc.property(
        ordinary,
        fc.string({ unit: "grapheme", minLength: 3, maxLength: 40 }),
        fc.boolean(),
        ordinary,
        (before, secret, encoded, after) => {
          const out = redactSecrets(`${before}${encoded ? encodeURIComponent(secret) : secret}${after}`, [secret]);
          expect(out).not.toContain(secret);
          expect(out).not.toContain(encodeURIComponent(secret));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("leaves ordinary text exactly as it was", () => {
    fc.assert(
      fc.property(ordinary, (text) => {
        expect(redactSecrets(text)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});

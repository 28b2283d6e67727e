import { describe, expect, it } from "vitest";
import { toHex } from "../bytes/hex.js";
import { canonicalBytes, canonicalize } from "./canonicalize.js";

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe("canonicalize: numbers (RFC 8785 §3.2.2.3, Appendix B)", () => {
  // IEEE 754 bit patterns and their required serializations, from RFC 8785 Appendix B.
  const appendixB: [string, string][] = [
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ];
  it.each(appendixB)("%s → %s", (bits, expected) => {
    expect(canonicalize(fromBits(bits))).toBe(expected);
  });

  it("writes -0 as 0", () => {
    expect(canonicalize(-0)).toBe("0");
    expect(canonicalize([-0, { z: -0 }])).toBe('[0,{"z":0}]');
  });
});

describe("canonicalize: strings (RFC 8785 §3.2.2.2)", () => {
  it("uses the short escapes, lower-case \\u00xx for other controls, and nothing else", () => {
    const s = '\u0000\u0001\u001f\b\t\n\f\r"\\/\u007f\u0080\u2028\u2029\u{1F600}é';
    expect(canonicalize(s)).toBe('"\\u0000\\u0001\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f\u0080\u2028\u2029\u{1F600}é"');
  });

  it("encodes as UTF-8 without normalizing", () => {
    expect(toHex(canonicalBytes("A\u030a\u{1F600}"))).toBe("2241cc8af09f988022");
  });
});

describe("canonicalize: structure (RFC 8785 §3.2.3)", () => {
  it("sorts keys by UTF-16 code units, not code points or locale", () => {
    // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FFFF although its code point is larger.
    const value = { "\uffff": 1, "\u{1F600}": 2, a: 3, B: 4, é: 5, "10": 6, "9": 7, "": 8 };
    expect(canonicalize(value)).toBe('{"":8,"10":6,"9":7,"B":4,"a":3,"é":5,"\u{1F600}":2,"\uffff":1}');
  });

  it("writes literals, empty containers and nesting without whitespace", () => {
    expect(canonicalize(null)).toBe("null");
    expect(canonicalize(true)).toBe("true");
    expect(canonicalize(false)).toBe("false");
    expect(canonicalize([])).toBe("[]");
    expect(canonicalize({})).toBe("{}");
    expect(canonicalize({ b: [1, { d: null, c: "x" }], a: {} })).toBe('{"a":{},"b":[1,{"c":"x","d":null}]}');
  });

  it("accepts null-prototype objects and shared (acyclic) references", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: 2 });
    expect(canonicalize(bare)).toBe('{"a":2,"b":1}');
    const shared = { x: 1 };
    expect(canonicalize({ p: shared, q: [shared, shared] })).toBe('{"p":{"x":1},"q":[{"x":1},{"x":1}]}');
  });

  it("treats an own __proto__ member as an ordinary key", () => {
    const value = JSON.parse('{"__proto__":{"a":1},"b":2}') as unknown;
    expect(canonicalize(value)).toBe('{"__proto__":{"a":1},"b":2}');
  });
});

describe("canonicalize: values JSON cannot represent canonically throw TypeError naming the path", () => {
  const cases: [string, unknown, string][] = [
    ["NaN", { data: { size: NaN } }, "$.data.size"],
    ["Infinity", { data: { size: Infinity } }, "$.data.size"],
    ["-Infinity", [1, -Infinity], "$[1]"],
    ["undefined member", { a: 1, b: undefined }, "$.b"],
    ["undefined at the top", undefined, "$"],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the input under test.
    ["array hole", [1, , 3], "$[1]"],
    ["function", { f: () => 1 }, "$.f"],
    ["symbol", { s: Symbol("s") }, "$.s"],
    ["bigint", { n: 1n }, "$.n"],
    ["lone high surrogate", { files: [{ name: "a\ud800" }] }, "$.files[0].name"],
    ["lone low surrogate in a key", { x: { "\udc00": 1 } }, '$.x["\\udc00"]'],
    ["Date (toJSON not honoured)", { at: new Date(0) }, "$.at"],
    ["plain object with toJSON", { v: { toJSON: () => "x" } }, "$.v.toJSON"],
    ["Map", { m: new Map() }, "$.m"],
    ["Set", [new Set()], "$[0]"],
    ["Uint8Array", { bytes: new Uint8Array(2) }, "$.bytes"],
    ["boxed string", { s: new String("x") }, "$.s"],
    ["class instance", { c: new (class Thing {})() }, "$.c"],
    ["symbol-keyed member", { o: { [Symbol("k")]: 1 } }, "$.o"],
    ["key needing quotes", { "a b": NaN }, '$["a b"]'],
  ];
  it.each(cases)("%s", (_name, value, path) => {
    expect(() => canonicalize(value)).toThrow(TypeError);
    expect(() => canonicalize(value)).toThrow(`cannot canonicalize ${path}:`);
  });

  it("names the kind of object it refuses", () => {
    expect(() => canonicalize({ at: new Date(0) })).toThrow(/\$\.at: Date is not a plain object/);
    expect(() => canonicalize({ c: new (class Thing {})() })).toThrow(/Thing \(Object\) is not a plain object/);
  });

  it("rejects cycles through objects and arrays", () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    expect(() => canonicalize(o)).toThrow("cannot canonicalize $.self: cyclic reference");
    const arr: unknown[] = [];
    arr.push({ back: arr });
    expect(() => canonicalize(arr)).toThrow("cannot canonicalize $[0].back: cyclic reference");
  });

  it("canonicalBytes throws the same way", () => {
    expect(() => canonicalBytes({ data: { size: NaN } })).toThrow("cannot canonicalize $.data.size:");
  });
});

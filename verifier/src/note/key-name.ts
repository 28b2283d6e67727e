// Unicode White_Space is what Go's unicode.IsSpace tests (x/mod's isValidName). JavaScript's \s differs
// (it has U+FEFF and lacks U+0085), so the property escape is used instead.
const SPACE = /\p{White_Space}/u;
// In a u-mode regexp a surrogate range matches only unpaired halves, which no UTF-8 encoding can carry.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
// Control characters are forbidden anywhere in a signed note, so a name holding one could never appear in it.
const CONTROL = /[\x00-\x1f]/;

/** True when name is a valid C2SP signed-note key name: non-empty, valid UTF-8, no Unicode spaces, no '+'. */
export function isValidKeyName(name: string): boolean {
  return (
    name.length > 0 && !name.includes("+") && !SPACE.test(name) && !LONE_SURROGATE.test(name) && !CONTROL.test(name)
  );
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The JSONPath-style location of an object member, e.g. `$.data.size` or `$["a b"]`, for error messages. */
export function memberPath(parent: string, key: string): string {
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** The JSONPath-style location of an array element, e.g. `$.files[3]`, for error messages. */
export function elementPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

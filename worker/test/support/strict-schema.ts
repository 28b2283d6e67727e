import type { z } from "zod";

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  getter?: () => z.ZodType;
}

const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * The paths of every object schema inside `schema` that accepts unknown keys (a `z.object`, not a
 * `z.strictObject`): a client parsing an answer with such a schema would not notice a field it does not know.
 */
export function looseObjectsIn(schema: z.ZodType, path = "(root)", seen = new Set<z.ZodType>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const d = defOf(schema);
  const inner = (s: z.ZodType | null | undefined, p: string) => (s ? looseObjectsIn(s, p, seen) : []);
  switch (d.type) {
    case "object":
      return [
        ...(d.catchall && defOf(d.catchall).type === "never" ? [] : [path]),
        ...Object.entries(d.shape ?? {}).flatMap(([k, v]) => inner(v, `${path}.${k}`)),
      ];
    case "array":
      return inner(d.element, `${path}[]`);
    case "union":
      return (d.options ?? []).flatMap((o, i) => inner(o, `${path}|${i}`));
    case "intersection":
      return [...inner(d.left, path), ...inner(d.right, path)];
    case "record":
      return inner(d.valueType, `${path}{}`);
    case "pipe":
      return [...inner(d.in, path), ...inner(d.out, path)];
    case "tuple":
      return [...(d.items ?? []).flatMap((s, i) => inner(s, `${path}[${i}]`)), ...inner(d.rest, `${path}[…]`)];
    case "lazy":
      return inner(d.getter?.(), path);
    default:
      return inner(d.innerType, path);
  }
}

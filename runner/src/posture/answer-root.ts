/** The most of a posture answer's body that is read (S3's largest, 1,000 lifecycle rules, is well under it). */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/**
 * A 2xx answer to a bucket-configuration read whose XML is not that configuration: a store that does not
 * know the subresource and answered something else (s3rver lists the bucket for `?versioning`; other
 * S3-compatible stores ignore unknown subresources the same way). The SDK would parse such an answer as an
 * empty configuration (versioning off, no lifecycle rule), which would be a guess: it is `unknown`.
 */
export class UnexpectedAnswerError extends Error {
  override readonly name = "UnexpectedAnswer";
  readonly $metadata: { httpStatusCode: number };
  constructor(
    readonly expected: string,
    readonly found: string,
    status: number,
  ) {
    super(`the store answered ${found ? `<${found}>` : "an empty body"}, not a ${expected}`);
    this.$metadata = { httpStatusCode: status };
  }
}

/** The name of an XML document's root element (without a namespace prefix), or "" if it has none. */
export function xmlRootName(text: string): string {
  const m = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(
    text,
  );
  return m?.[1] ?? "";
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (body === undefined || body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > MAX_ANSWER_BYTES) throw new Error(`the answer is over ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** The raw step of an SDK command: the HTTP answer, before the parser. */
type RawHandler = (args: object) => Promise<{ output: object; response: unknown }>;

/** An SDK command (its middleware stack is all this needs; each command types it with its own input and output). */
interface WithMiddleware {
  middlewareStack: { add(...args: never[]): void };
}

/**
 * Makes `command` refuse a 2xx answer whose XML root is not `root` (UnexpectedAnswerError). It runs between
 * the HTTP answer and the SDK's parser (the deserialize step, innermost): the body is read once (bounded),
 * checked, and handed on as bytes, which the parser takes as they are.
 */
export function expectAnswerRoot<C extends WithMiddleware>(command: C, root: string): C {
  const add = command.middlewareStack.add.bind(command.middlewareStack) as (
    middleware: (next: RawHandler) => RawHandler,
    options: { step: "deserialize"; priority: "low"; name: string },
  ) => void;
  add(
    (next: RawHandler): RawHandler =>
      async (args) => {
        const out = await next(args);
        const response = out.response as { statusCode?: number; body?: unknown };
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          const bytes = await bodyBytes(response.body);
          const found = xmlRootName(Buffer.from(bytes.subarray(0, 4096)).toString("utf8"));
          if (found !== root) throw new UnexpectedAnswerError(root, found, status);
          response.body = bytes;
        }
        return out;
      },
    { step: "deserialize", priority: "low", name: "walwardenExpectAnswerRoot" },
  );
  return command;
}

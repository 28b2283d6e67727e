// The verifier compiles with lib ES2022 and no platform types, so that it cannot reach for Node, DOM or
// Workers APIs by accident. These are the only Web-standard globals it uses; Node 20, workerd and every
// current browser provide them.

interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare const TextEncoder: { new (): TextEncoder };

interface TextDecoder {
  decode(input?: Uint8Array): string;
}
declare const TextDecoder: { new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder };

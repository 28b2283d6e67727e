export { toHex, fromHex } from "./hex.js";
export { toBase64, fromBase64 } from "./base64.js";
export { utf8, fromUtf8 } from "./utf8.js";
export { bytesEqual, concatBytes } from "./compare.js";

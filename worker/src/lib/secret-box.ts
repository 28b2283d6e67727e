import { err, fromBase64, ok, toBase64, type Result } from "@walwarden/verifier";

/** Why a secret could not be sealed or opened. */
export type SecretBoxErrorCode = "no-key" | "bad-key" | "corrupt";

/** Imports the AES-256-GCM key from its secret (32 bytes in standard base64). */
async function importKey(secret: string | undefined): Promise<Result<CryptoKey, SecretBoxErrorCode>> {
  if (!secret) return err("no-key", "the Worker has no BUCKET_CREDENTIALS_KEY secret (docs/deploy.md)");
  const raw = fromBase64(secret.trim());
  if (!raw) return err("bad-key", "BUCKET_CREDENTIALS_KEY is not base64");
  if (raw.length !== 32) return err("bad-key", `BUCKET_CREDENTIALS_KEY must be 32 bytes, it is ${raw.length}`);
  return ok(await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]));
}

/**
 * Seals a secret with AES-256-GCM under `keySecret`: `v1.<base64 iv>.<base64 ciphertext+tag>`. `context`
 * (e.g. org and bucket) is bound as additional data, so a sealed value moved to another row does not open.
 */
export async function seal(
  keySecret: string | undefined,
  plaintext: string,
  context: string,
): Promise<Result<string, SecretBoxErrorCode>> {
  const key = await importKey(keySecret);
  if (!key.ok) return key;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
    key.value,
    new TextEncoder().encode(plaintext),
  );
  return ok(`v1.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`);
}

/** Opens a value sealed by `seal` with the same key and context. */
export async function open(
  keySecret: string | undefined,
  sealed: string,
  context: string,
): Promise<Result<string, SecretBoxErrorCode>> {
  const key = await importKey(keySecret);
  if (!key.ok) return key;
  const [v, iv, data] = sealed.split(".");
  if (v !== "v1" || !iv || !data) return err("corrupt", "sealed value is not v1.<iv>.<data>");
  const ivBytes = fromBase64(iv);
  const dataBytes = fromBase64(data);
  if (!ivBytes || !dataBytes) return err("corrupt", "sealed value is not base64");
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: ivBytes, additionalData: new TextEncoder().encode(context) },
      key.value,
      dataBytes,
    );
    return ok(new TextDecoder().decode(plain));
  } catch {
    return err("corrupt", "sealed value does not open with this key and context (was BUCKET_CREDENTIALS_KEY changed?)");
  }
}

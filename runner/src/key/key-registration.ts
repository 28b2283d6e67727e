import { formatVkey, type NamedSigner } from "@walwarden/verifier";
import type { WorkerApi } from "../api/worker-api.js";
import type { RunnerLogger } from "../log/logger.js";
import { keyRegistration, type RunnerKey } from "./runner-key.js";

/**
 * The runner key's registration with the Worker (POST /v1/runner/key, at start and, while it has not
 * succeeded, again before a claim at most every `retryMs`). Until it succeeds the runner signs nothing
 * and claims no drills (backups go on). The key's name is the one the Worker answers
 * (`<deployment>/runner/<runnerId>`), checked to name this key.
 */
export class KeyRegistration {
  private registered: NamedSigner | undefined;
  private org: string | undefined;
  private lastTry = Number.NEGATIVE_INFINITY;
  private trying: Promise<boolean> | undefined;

  constructor(
    private readonly key: RunnerKey | undefined,
    private readonly api: Pick<WorkerApi, "registerKey">,
    private readonly log: RunnerLogger,
    private readonly retryMs: number,
  ) {}

  /** The key as registered, or undefined. */
  signer(): NamedSigner | undefined {
    return this.registered;
  }

  /** The runner's org as the registration answered it, or undefined before. */
  orgId(): string | undefined {
    return this.org;
  }

  /** Registers if not yet (no more often than every retryMs); true once registered. */
  ensure(): Promise<boolean> {
    if (this.registered) return Promise.resolve(true);
    if (!this.key || Date.now() - this.lastTry < this.retryMs) return Promise.resolve(false);
    this.trying ??= this.attempt().finally(() => (this.trying = undefined));
    return this.trying;
  }

  private async attempt(): Promise<boolean> {
    const key = this.key!;
    this.lastTry = Date.now();
    const r = await this.api.registerKey(keyRegistration(key));
    if (!r.ok) {
      this.log.error(
        { event: "runner.key_registration_failed", reason: r.message },
        "cannot register the runner key: drills are not claimed until it is registered (backups go on)",
      );
      return false;
    }
    const name = r.value.vkey.split("+")[0]!;
    if (formatVkey(name, key.publicKey) !== r.value.vkey) {
      this.log.error(
        { event: "runner.key_registration_failed", vkey: r.value.vkey },
        "the Worker answered the key registration with a vkey of another key: drills are not claimed",
      );
      return false;
    }
    this.registered = { name, secretKey: key.secretKey, publicKey: key.publicKey };
    this.org = r.value.orgId;
    this.log.info(
      { event: "runner.key_registered", vkey: r.value.vkey, status: r.value.status, created: key.created },
      r.value.status === "rotated"
        ? "runner key registered (a new key: the Worker logged the rotation)"
        : "runner key registered",
    );
    return true;
  }
}

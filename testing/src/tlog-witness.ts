// A C2SP tlog-witness server on loopback, written from the spec (https://c2sp.org/tlog-witness, add-checkpoint),
// for the external-witness tests: per origin it keeps the size and root of the latest checkpoint it cosigned,
// verifies the log's signature with the keys it was configured with for that origin, checks the consistency
// proof with the verifier's verifyConsistency, and answers as the spec says: 404 for an unknown origin, 403 when
// no trusted key signed, 400 for a malformed body or an old size above the checkpoint's, 409 (text/x.tlog.size,
// its size) when the old size is not its own or the same size has another root, 422 when the proof does not
// verify, and otherwise updates its state (checked and updated in one synchronous step: atomic) and answers
// 200 with its cosignature/v1 line (cosignCheckpoint). stop() closes its port; start() on the same port brings
// it back, with whatever state it is given.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  cosignCheckpoint,
  formatCosignerVkey,
  fromBase64,
  type NoteSigner,
  type NoteVerifier,
  parseCheckpointNote,
  parseSignedNote,
  parseVkey,
  publicKeyOf,
  verifyCheckpoint,
  verifyConsistency,
} from "@walwarden/verifier";

/** What the witness remembers of one log: the latest checkpoint it cosigned. */
export interface LogState {
  size: bigint;
  root: Uint8Array;
}

/** One request it answered. */
export interface WitnessRequest {
  old: string | undefined;
  proofLines: number;
  size: bigint | undefined;
  status: number;
}

/** An answer: status, content type and body. */
interface Answer {
  status: number;
  type: string;
  body: string;
}

const text = (status: number, body: string): Answer => ({ status, type: "text/plain; charset=utf-8", body });
const DECIMAL = /^(0|[1-9][0-9]{0,18})$/;
const MAX_PROOF_LINES = 63;

/** A tlog-witness with one key, configured with the logs (origin → checkpoint vkeys) it witnesses. */
export class TlogWitness {
  /** Per origin, the latest checkpoint it cosigned. Tests may set it (a witness restarted with older state). */
  readonly state = new Map<string, LogState>();
  readonly requests: WitnessRequest[] = [];
  /** While true, requests are accepted and never answered (a witness that hangs). */
  hang = false;
  port = 0;
  private readonly logs = new Map<string, NoteVerifier[]>();
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();

  constructor(
    private readonly signer: NoteSigner,
    private readonly clock: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** Requests it holds without answering (while `hang`). */
  get hangingCount(): number {
    return this.hanging.size;
  }

  /** The witness's cosigner vkey (type 0x04). */
  get vkey(): string {
    return formatCosignerVkey(this.signer.name, publicKeyOf(this.signer.secretKey));
  }

  /** Trusts `vkeys` (the log's checkpoint keys) for checkpoints of `origin`. */
  addLog(origin: string, vkeys: readonly string[]): void {
    const verifiers = vkeys.map((v) => {
      const parsed = parseVkey(v);
      if (!parsed.ok) throw new Error(`${v}: ${parsed.message}`);
      return parsed.value;
    });
    this.logs.set(origin, verifiers);
  }

  /** Answers one add-checkpoint body, as the spec says; updates the state on success. */
  addCheckpoint(body: string): Answer {
    const request: WitnessRequest = { old: undefined, proofLines: 0, size: undefined, status: 0 };
    this.requests.push(request);
    const answer = this.answer(body, request);
    request.status = answer.status;
    return answer;
  }

  private answer(body: string, request: WitnessRequest): Answer {
    // old <size>\n, zero or more proof lines, an empty line, the checkpoint: every line newline-terminated.
    const blank = body.indexOf("\n\n");
    if (blank < 0) return text(400, "no empty line after the old size and the proof\n");
    const head = body.slice(0, blank).split("\n");
    const note = body.slice(blank + 2);
    const oldLine = /^old (.*)$/.exec(head[0] ?? "");
    if (!oldLine || !DECIMAL.test(oldLine[1]!)) return text(400, "the first line is not `old <size>`\n");
    request.old = oldLine[1];
    const old = BigInt(oldLine[1]!);
    const proofText = head.slice(1);
    request.proofLines = proofText.length;
    if (proofText.length > MAX_PROOF_LINES) return text(400, "more than 63 proof lines\n");
    const proof: Uint8Array[] = [];
    for (const line of proofText) {
      const hash = fromBase64(line);
      if (hash?.length !== 32) return text(400, "a proof line is not a base64 SHA-256 hash\n");
      proof.push(hash);
    }
    const cp = parseCheckpointNote(note);
    const signed = parseSignedNote(note);
    if (!cp.ok || !signed.ok) return text(400, "the checkpoint does not parse\n");
    request.size = cp.value.size;
    const keys = this.logs.get(cp.value.origin);
    if (!keys) return text(404, "unknown origin\n");
    if (!verifyCheckpoint(note, keys, cp.value.origin).ok) return text(403, "no trusted key signed the checkpoint\n");
    if (old > cp.value.size) return text(400, "the old size is larger than the checkpoint's\n");
    const current = this.state.get(cp.value.origin);
    const mine = current?.size ?? 0n;
    const conflict = (): Answer => ({ status: 409, type: "text/x.tlog.size", body: `${mine}\n` });
    if (old !== mine) return conflict();
    if (old === 0n) {
      if (proof.length > 0) return text(400, "a proof from size 0 must be empty\n");
    } else if (old === cp.value.size) {
      if (!equalBytes(current!.root, cp.value.rootHash)) return conflict();
      if (proof.length > 0) return text(422, "a proof between equal sizes is empty\n");
    } else if (!verifyConsistency(old, cp.value.size, current!.root, cp.value.rootHash, proof).ok)
      return text(422, "the consistency proof does not verify\n");
    // Checked and updated with no await between: atomic (the spec's race cannot happen).
    this.state.set(cp.value.origin, { size: cp.value.size, root: cp.value.rootHash });
    const line = cosignCheckpoint(signed.value.text, this.signer, this.clock());
    if (!line.ok) return text(500, `${line.message}\n`);
    return { status: 200, type: "text/plain; charset=utf-8", body: line.value };
  }

  /** Listens on 127.0.0.1 (`port`, or a free one); POST /add-checkpoint under any prefix. */
  async start(port = this.port): Promise<void> {
    this.server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => {
        if (this.hang) {
          this.hanging.add(res);
          return;
        }
        if (req.method !== "POST" || !req.url?.endsWith("/add-checkpoint")) {
          res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
          return;
        }
        const a = this.addCheckpoint(body);
        res.writeHead(a.status, { "content-type": a.type }).end(a.body);
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Closes the port (requests left hanging are dropped). */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// pg_dump's custom format (src/bin/pg_dump/pg_backup_archiver.c, pg_backup_custom.c), as far as this
// module reads it. Header: "PGDMP", version (major, minor, revision bytes), int size, offset size, format
// (1 = custom), compression (a byte from 1.15 on, an int before), the creation time (7 ints), the
// database name and two version strings. Then the TOC: a count, and per entry its fields (ints and
// strings, some by version), its dependencies (strings ending with a null one), and the custom format's
// data offset: a flag byte (1 not set, 2 set, 3 no data) and `offset size` bytes, least significant
// first. Then each data item: a block type byte (1 data, 3 large objects), the item's dump id (an int),
// and length-prefixed blocks up to a zero length (large objects: an oid, then such blocks, per object, up
// to a zero oid). An int is a sign byte and `int size` bytes, least significant first; a string is an int
// length (negative: null) and its bytes.
//
// pg_dump writing to a pipe cannot seek back to fill in the offsets, so the TOC says "not set" for every
// item. pg_restore then has no size for any item (its parallel scheduler cannot start the largest tables
// first) and each worker reads through the data before its item to find it. ArchiveIndexer watches the
// archive's bytes go past once and says which TOC bytes to overwrite so that the archive is what pg_dump
// would have written to a file: every data offset set.

/** Bytes to write into the archive at `position`. */
export interface ArchivePatch {
  position: number;
  bytes: Buffer;
}

const K_VERS_MIN = version(1, 12, 0); // PostgreSQL 9.6's pg_dump and later
const K_VERS_1_14 = version(1, 14, 0);
const K_VERS_1_15 = version(1, 15, 0);
const K_VERS_1_16 = version(1, 16, 0);
const K_VERS_MAX = version(1, 16, 0);
const BLK_DATA = 1;
const BLK_BLOBS = 3;
const OFFSET_NOT_SET = 1;
const OFFSET_SET = 2;
const OFFSET_NO_DATA = 3;
/** A TOC larger than this is not indexed (the restore works without the offsets, only slower). */
const MAX_HEAD_BYTES = 256 * 1024 * 1024;

function version(major: number, minor: number, rev: number): number {
  return (major * 256 + minor) * 256 + rev;
}

class NeedMore extends Error {}
class Unsupported extends Error {}

/** A TOC entry's data offset slot. */
interface OffsetSlot {
  dumpId: number;
  /** Where the flag byte is. */
  at: number;
  flag: number;
}

/** The header and TOC, parsed. */
interface Head {
  intSize: number;
  offSize: number;
  /** Where the first data item starts. */
  end: number;
  slots: OffsetSlot[];
}

/** Reads the header and TOC from the archive's first bytes; NeedMore if they are not all there yet. */
function parseHead(b: Buffer): Head {
  let p = 0;
  const byte = () => {
    if (p >= b.length) throw new NeedMore();
    return b[p++]!;
  };
  if (b.length < 5) throw new NeedMore();
  if (b.toString("latin1", 0, 5) !== "PGDMP") throw new Unsupported("not a custom-format archive");
  p = 5;
  const v = version(byte(), byte(), byte());
  if (v < K_VERS_MIN || v > K_VERS_MAX) throw new Unsupported(`archive version ${v.toString(16)}`);
  const intSize = byte();
  const offSize = byte();
  if (intSize < 1 || intSize > 6 || offSize < 1 || offSize > 8) throw new Unsupported("int or offset size");
  if (byte() !== 1) throw new Unsupported("not the custom format");
  const int = () => {
    const sign = byte();
    let n = 0;
    for (let i = 0; i < intSize; i++) n += byte() * 2 ** (8 * i);
    return sign ? -n : n;
  };
  const str = () => {
    const n = int();
    if (n > 0) {
      if (p + n > b.length) throw new NeedMore();
      p += n;
    }
  };
  if (v >= K_VERS_1_15) byte();
  else int();
  for (let i = 0; i < 7; i++) int(); // creation time
  str(); // database name
  str(); // server version
  str(); // pg_dump version
  const count = int();
  if (count < 0) throw new Unsupported("TOC count");
  const slots: OffsetSlot[] = [];
  for (let i = 0; i < count; i++) {
    const dumpId = int();
    if (dumpId <= 0) throw new Unsupported("dump id");
    int(); // has a data dumper
    str(); // table oid
    str(); // oid
    str(); // tag
    str(); // description
    int(); // section
    str(); // definition
    str(); // drop statement
    str(); // copy statement
    str(); // namespace
    str(); // tablespace
    if (v >= K_VERS_1_14) str(); // table access method
    if (v >= K_VERS_1_16) int(); // relkind
    str(); // owner
    str(); // "false" (WITH OIDS)
    for (let n = int(); n >= 0; n = int()) {
      // a dependency's dump id, as a string
      if (p + n > b.length) throw new NeedMore();
      p += n;
    }
    const at = p;
    const flag = byte();
    if (flag !== OFFSET_NOT_SET && flag !== OFFSET_SET && flag !== OFFSET_NO_DATA)
      throw new Unsupported(`offset flag ${flag}`);
    for (let k = 0; k < offSize; k++) byte();
    slots.push({ dumpId, at, flag });
  }
  return { intSize, offSize, end: p, slots };
}

/** What the data scanner expects next: a block type byte, an int (dump id, block length, large object oid), or block bytes to skip. */
type Expect = "type" | "id" | "len" | "oid" | "skip";

/**
 * Follows a custom-format archive's bytes as they stream past (feed, in order), and at the end (finish)
 * gives the TOC patches that set each data item's offset to where its data starts; no patches if the
 * offsets were set already. Anything it does not understand (another format or version, a TOC over 256
 * MiB, a malformed data section) gives an error: the archive is then used as it is.
 */
export class ArchiveIndexer {
  private headChunks: Buffer[] = [];
  private headBytes = 0;
  private nextTry = 64 * 1024;
  private head: Head | undefined;
  private failure: string | undefined;
  /** The archive position of the next byte fed to the scanner. */
  private pos = 0;
  private expect: Expect = "type";
  private blockType = 0;
  private itemStart = 0;
  private skip = 0;
  private intLeft = 0;
  private intShift = 0;
  private intValue = 0;
  private intNegative = false;
  private readonly starts = new Map<number, number>();

  /** Takes the archive's next bytes (not kept: the caller may reuse the buffer). */
  feed(chunk: Uint8Array): void {
    if (this.failure !== undefined) return;
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.guard(() => {
      if (this.head) return this.scan(b, 0);
      this.headChunks.push(Buffer.from(b)); // a copy: the caller may reuse its buffer
      this.headBytes += b.length;
      if (this.headBytes >= this.nextTry) this.tryHead(false);
    });
  }

  /** After the last byte: the patches (none if every offset was set), or why the archive was not indexed. */
  finish(): { ok: true; patches: ArchivePatch[] } | { ok: false; why: string } {
    if (this.failure === undefined && !this.head) this.guard(() => this.tryHead(true));
    if (this.failure !== undefined) return { ok: false, why: this.failure };
    const h = this.head!;
    if (this.expect !== "type") return { ok: false, why: "the archive ends inside a data item" };
    if (h.slots.some((s) => s.flag === OFFSET_SET)) return { ok: true, patches: [] };
    const slotIds = new Set(h.slots.filter((s) => s.flag === OFFSET_NOT_SET).map((s) => s.dumpId));
    for (const id of this.starts.keys())
      if (!slotIds.has(id)) return { ok: false, why: `data for item ${id}, which the TOC does not expect` };
    const patches: ArchivePatch[] = [];
    for (const s of h.slots) {
      const start = this.starts.get(s.dumpId);
      if (s.flag !== OFFSET_NOT_SET || start === undefined) continue;
      if (start >= 2 ** (8 * h.offSize)) return { ok: false, why: "an offset too large for the archive's offset size" };
      const bytes = Buffer.alloc(1 + h.offSize);
      bytes[0] = OFFSET_SET;
      for (let k = 0, n = start; k < h.offSize; k++, n = Math.floor(n / 256)) bytes[1 + k] = n % 256;
      patches.push({ position: s.at, bytes });
    }
    return { ok: true, patches };
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      this.failure = e.message;
      this.headChunks = [];
    }
  }

  /** Parses the header and TOC from what arrived (every time it doubled: linear overall); at the end, for good. */
  private tryHead(final: boolean): void {
    const all = Buffer.concat(this.headChunks, this.headBytes);
    this.headChunks = [all];
    try {
      this.head = parseHead(all);
    } catch (e) {
      if (!(e instanceof NeedMore)) throw e;
      if (final) throw new Unsupported("the archive ends inside its TOC");
      if (this.headBytes > MAX_HEAD_BYTES) throw new Unsupported("a TOC over 256 MiB");
      this.nextTry = this.headBytes * 2;
      return;
    }
    this.headChunks = [];
    this.pos = this.head.end;
    this.scan(all, this.head.end);
  }

  /** Follows the data items' framing through `b` from index `from` (b[from] is at archive position this.pos). */
  private scan(b: Buffer, from: number): void {
    const base = this.pos - from;
    let i = from;
    const intSize = this.head!.intSize;
    while (i < b.length) {
      if (this.expect === "len" && this.intShift < 0) {
        // The hot path (pg_dump -Z0 writes a block per row): whole length ints and blocks in this chunk.
        for (;;) {
          if (i + 1 + intSize > b.length || b[i] !== 0) break;
          let v = 0;
          for (let k = intSize; k >= 1; k--) v = v * 256 + b[i + k]!;
          if (v === 0) break;
          i += 1 + intSize;
          if (i + v > b.length) {
            this.expect = "skip";
            this.skip = v - (b.length - i);
            i = b.length;
            break;
          }
          i += v;
        }
        if (i >= b.length || this.expect === "skip") continue;
      }
      if (this.expect === "skip") {
        const n = Math.min(this.skip, b.length - i);
        i += n;
        this.skip -= n;
        if (this.skip === 0) this.startInt("len");
      } else if (this.expect === "type") {
        const t = b[i]!;
        if (t !== BLK_DATA && t !== BLK_BLOBS) throw new Unsupported(`block type ${t} at ${base + i}`);
        this.blockType = t;
        this.itemStart = base + i;
        i++;
        this.startInt("id");
      } else {
        const byte = b[i++]!;
        if (this.intShift < 0) this.intNegative = byte !== 0;
        else this.intValue += byte * 2 ** this.intShift;
        this.intShift += 8;
        if (--this.intLeft === 0) this.gotInt(this.intNegative ? -this.intValue : this.intValue);
      }
    }
    this.pos = base + b.length;
  }

  private startInt(what: "id" | "len" | "oid"): void {
    this.expect = what;
    this.intLeft = 1 + this.head!.intSize;
    this.intShift = -8; // the sign byte first
    this.intValue = 0;
    this.intNegative = false;
  }

  private gotInt(v: number): void {
    if (this.expect === "id") {
      if (v <= 0 || this.starts.has(v)) throw new Unsupported(`data item id ${v}`);
      this.starts.set(v, this.itemStart);
      this.startInt(this.blockType === BLK_DATA ? "len" : "oid");
    } else if (this.expect === "len") {
      if (v < 0) throw new Unsupported(`block length ${v}`);
      if (v > 0) {
        this.expect = "skip";
        this.skip = v;
      } else if (this.blockType === BLK_BLOBS) this.startInt("oid");
      else this.expect = "type";
    } else if (v === 0)
      this.expect = "type"; // the oid that ends the large objects
    else this.startInt("len");
  }
}

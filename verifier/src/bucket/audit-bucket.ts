import type { VerifyPolicy } from "../bundle/policy.js";
import { type Check, type Report, ReportBuilder } from "../bundle/report.js";
import { bytesEqual } from "../bytes/compare.js";
import { KIT_FILES, type KitFile, kitObjectKey } from "../manifest/kit-layout.js";
import { type BackupKit, backupKitReport, type KitCrypto } from "../manifest/kit-report.js";
import { verifyManifest } from "../manifest/verify-manifest.js";
import { parseCheckpointNote } from "../note/index.js";
import { parseAnchorPath, WITNESS_REFUSAL_SUFFIX, WitnessRefusalSchema } from "./anchor-layout.js";
import { type AnchorFolder, type AnchoredCheckpoint, checkChain, type ChainResult } from "./check-chain.js";

/** A local copy of a runner's prefix (`aws s3 sync s3://<bucket>/<prefix> <dir>`), as the audit reads it. */
export interface BucketCopy {
  /** Every regular file below the copy's root, as a `/`-separated path relative to it. */
  paths: readonly string[];
  /** A small file's bytes (kit files, anchors), or undefined when it cannot be read. */
  read(path: string): Promise<Uint8Array | undefined>;
  /** The SHA-256 (hex) of a file (a dump), or undefined when it is not hashed: its check is then skipped. */
  sha256(path: string): Promise<string | undefined>;
}

/** One kit's verification in the audit. */
export interface KitAudit {
  /** The path of its manifest in the copy. */
  manifest: string;
  backupId?: string;
  /** The runner the manifest names (its measurement's `runner.id`). */
  runnerId?: string;
  /** The size of the kit's checkpoint, when it verified. */
  checkpointSize?: string;
  verdict: Report["verdict"];
  failed?: string;
  checks: Check[];
}

/** One runner's anchored chain in the audit. */
export interface ChainAudit {
  runnerId: string;
  /** The sizes of the anchored checkpoints that verified, in order. */
  anchored: string[];
  problems: string[];
  notes: string[];
}

/** The audit's report: its checks and verdict, then each kit, each chain and each backup object. */
export interface BucketReport extends Report {
  kits: KitAudit[];
  chains: ChainAudit[];
  objects: { path: string; manifest: string | null }[];
}

const MANIFEST_SUFFIX = `.${KIT_FILES.manifest}`;
const REFUSAL_SUFFIX = `.${WITNESS_REFUSAL_SUFFIX}`;
/** The kit files a kit's verification reads (besides the manifest). */
const SIBLINGS = ["entry", "proof", "checkpoint"] as const satisfies readonly KitFile[];

/** At most this many problems are written out in one check's detail (the JSON report has them all). */
const SHOWN = 10;

/** `items` joined for a detail, the first SHOWN of them and how many more. */
function listed(items: readonly string[]): string {
  const head = items.slice(0, SHOWN).join("; ");
  return items.length > SHOWN ? `${head}; and ${items.length - SHOWN} more` : head;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** True for the path of a backup object: its name ends in an artifact extension (SPEC §10). */
function isArtifactPath(path: string): boolean {
  try {
    kitObjectKey(path, "manifest");
    return true;
  } catch {
    return false;
  }
}

const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const decodeExact = (b: Uint8Array) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(b);
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
const dirOf = (path: string) => path.slice(0, path.lastIndexOf("/") + 1);

/** What the audit learnt of a kit besides its report. */
interface KitFacts {
  audit: KitAudit;
  orgId?: string;
  /** The predicate's s3.key, when the manifest verified with a pinned key. */
  s3Key?: string;
  /** The kit's checkpoint, when it verified. */
  checkpoint?: { origin: string; size: bigint; rootHash: Uint8Array };
}

/** Reads and verifies one kit (as `walwarden-verify kit` does), hashing its dump when it is in the copy. */
async function auditKit(
  copy: BucketCopy,
  present: ReadonlySet<string>,
  manifestPath: string,
  policy: VerifyPolicy,
  crypto: KitCrypto,
): Promise<KitFacts> {
  const base = manifestPath.slice(0, -MANIFEST_SUFFIX.length);
  const failed = (id: string, name: string, detail: string): KitFacts => {
    const report = new ReportBuilder();
    report.add(id, name, "fail", detail);
    const r = report.build();
    return { audit: { manifest: manifestPath, ...r } };
  };
  const manifestBytes = await copy.read(manifestPath);
  if (!manifestBytes) return failed("kit.files", "The kit's files are in the copy", `cannot read ${manifestPath}`);
  const texts: Partial<Record<(typeof SIBLINGS)[number], string>> = {};
  const missing: string[] = [];
  for (const f of SIBLINGS) {
    const path = `${base}.${KIT_FILES[f]}`;
    const bytes = present.has(path) ? await copy.read(path) : undefined;
    if (bytes) texts[f] = f === "entry" ? decodeExact(bytes) : decode(bytes);
    else missing.push(path);
  }
  if (missing.length)
    return failed(
      "kit.files",
      "The kit's files are in the copy",
      `${present.has(missing[0]!) ? "cannot read" : "missing"}: ${missing.join(", ")}`,
    );
  const envelope = parseJson(decode(manifestBytes));
  const kit: BackupKit = {
    envelope,
    entry: texts.entry!,
    proof: parseJson(texts.proof!),
    checkpoint: texts.checkpoint!,
  };
  const manifest = verifyManifest(envelope, policy.manifestKeys, undefined, crypto.ed25519);
  let artifactSha256: string | undefined;
  if (manifest.ok) {
    const name = manifest.value.predicate.s3.key.slice(manifest.value.predicate.s3.key.lastIndexOf("/") + 1);
    const artifact = `${dirOf(manifestPath)}${name}`;
    if (name && present.has(artifact)) artifactSha256 = await copy.sha256(artifact);
  }
  const report = backupKitReport(kit, policy, artifactSha256, crypto);
  const passed = (id: string) => report.checks.some((c) => c.id === id && c.status === "pass");
  const cp = passed("kit.checkpoint") ? parseCheckpointNote(kit.checkpoint) : undefined;
  const predicate = manifest.ok ? manifest.value.predicate : undefined;
  return {
    audit: {
      manifest: manifestPath,
      ...(predicate ? { backupId: predicate.backupId, runnerId: predicate.runner.id } : {}),
      ...(cp?.ok ? { checkpointSize: cp.value.size.toString() } : {}),
      ...report,
    },
    ...(predicate ? { orgId: predicate.orgId, s3Key: predicate.s3.key } : {}),
    ...(cp?.ok ? { checkpoint: cp.value } : {}),
  };
}

/**
 * The walk-away audit of a copy of a runner's prefix (SPEC §13 "The walk-away audit"): every kit verified as
 * `walwarden-verify kit` does, each runner's anchored checkpoints one consistent chain, the chains agreeing
 * where they meet, every kit's checkpoint one of the anchored ones, no witness refusal recorded, and every
 * backup object named by the signed manifest next to it. Checks `bucket.files`, `bucket.kits`,
 * `bucket.chain.<runnerId>` (each runner; `bucket.chain` when there is none), `bucket.chains-agree`,
 * `bucket.kit-checkpoints`, `bucket.witness-refusals`, `bucket.objects`.
 */
export async function auditBucket(
  copy: BucketCopy,
  policy: VerifyPolicy,
  crypto: KitCrypto = {},
): Promise<BucketReport> {
  const report = new ReportBuilder();
  const present = new Set(copy.paths);
  const folders = new Map<string, AnchorFolder>();
  const manifests: string[] = [];
  const refusals: string[] = [];
  const artifacts: string[] = [];
  for (const path of [...copy.paths].sort()) {
    const anchor = parseAnchorPath(path);
    if (anchor) {
      let folder = folders.get(anchor.runnerId);
      if (!folder) {
        folder = { runnerId: anchor.runnerId, notes: new Map(), proofs: new Map(), others: [] };
        folders.set(anchor.runnerId, folder);
      }
      if (anchor.kind === "other") {
        folder.others.push(anchor.name);
        continue;
      }
      const bytes = await copy.read(path);
      const text = bytes && decode(bytes);
      if (anchor.kind === "note") folder.notes.set(anchor.size, text);
      else if (anchor.kind === "proof") folder.proofs.set(anchor.size, text && parseJson(text));
      else folder.latest = { text };
      continue;
    }
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name.endsWith(MANIFEST_SUFFIX) && name.length > MANIFEST_SUFFIX.length) manifests.push(path);
    else if (name.endsWith(REFUSAL_SUFFIX)) refusals.push(path);
    else if (isArtifactPath(path)) artifacts.push(path);
  }
  const anchorCount = [...folders.values()].reduce((n, f) => n + f.notes.size, 0);
  report.expect(
    "bucket.files",
    "The copy holds a runner's backups or anchored checkpoints",
    manifests.length + artifacts.length + anchorCount > 0,
    `${plural(manifests.length, "kit")}, ${plural(artifacts.length, "backup object")}, ${plural(anchorCount, "anchored checkpoint")} of ${plural(folders.size, "runner")}, ${plural(copy.paths.length, "file")} in all`,
    `no kit, backup object or anchored checkpoint among ${plural(copy.paths.length, "file")}: is this a copy of the runner's prefix (aws s3 sync s3://<bucket>/<prefix> <dir>)?`,
  );

  // Kits.
  const kits: KitFacts[] = [];
  for (const m of manifests) kits.push(await auditKit(copy, present, m, policy, crypto));
  const badKits = kits.filter((k) => k.audit.verdict !== "verified");
  const orgs = [...new Set(kits.flatMap((k) => k.orgId ?? []))];
  const kitProblems = badKits.map((k) => {
    const check = k.audit.checks.find((c) => c.status === "fail");
    return `${k.audit.manifest}: ${check ? `${check.id}: ${check.detail}` : "nothing passed"}`;
  });
  if (orgs.length > 1) kitProblems.push(`the kits are of several orgs: ${orgs.join(", ")}`);
  const skippedArtifacts = kits.filter((k) =>
    k.audit.checks.some((c) => c.id === "manifest.artifact" && c.status === "skip"),
  ).length;
  report.expect(
    "bucket.kits",
    "Every kit verifies (manifest, artifact when present, entry, checkpoint, inclusion)",
    kitProblems.length === 0,
    `${plural(kits.length, "kit")} verified${skippedArtifacts ? ` (${skippedArtifacts} checked without the dump: its artifact check skipped)` : ""}`,
    listed(kitProblems),
  );

  // Anchored chains: one origin for all of them (the pinned one, else the first anchor's, of the kits' org).
  const origin =
    policy.origin !== undefined
      ? { ok: true as const, value: policy.origin }
      : firstOrigin(folders, orgs.length === 1 ? orgs[0] : undefined);
  const chains: ChainResult[] = [];
  if (folders.size === 0)
    report.add(
      "bucket.chain",
      "The runner anchored its checkpoints",
      "fail",
      "no checkpoints/<runnerId>/ folder: the runner has anchored nothing here (a runner older than anchoring, or a copy without checkpoints/)",
    );
  for (const folder of folders.values()) {
    const chain = origin.ok
      ? checkChain(folder, {
          checkpointKeys: policy.checkpointKeys,
          origin: origin.value,
          ...(policy.witnesses?.length
            ? { witnesses: policy.witnesses, witnessQuorum: policy.witnessQuorum ?? 1 }
            : {}),
          ...(crypto.ed25519 ? { ed25519: crypto.ed25519 } : {}),
          ...(crypto.sha256 ? { sha256: crypto.sha256 } : {}),
        })
      : { runnerId: folder.runnerId, anchored: [], problems: [origin.message], notes: [] };
    chains.push(chain);
    const range = chain.anchored.length
      ? `${plural(chain.anchored.length, "anchored checkpoint")}, sizes ${chain.anchored[0]!.size} to ${chain.anchored.at(-1)!.size}`
      : "no anchored checkpoint";
    report.expect(
      `bucket.chain.${folder.runnerId}`,
      `Runner ${folder.runnerId}'s anchored checkpoints are signed and form one consistent chain${policy.witnesses?.length ? ", each cosigned by the pinned witnesses" : ""}`,
      chain.problems.length === 0 && chain.anchored.length > 0,
      `${range}${origin.ok ? ` of ${origin.value}` : ""}${chain.notes.length ? `; ${listed(chain.notes)}` : ""}`,
      chain.problems.length ? listed(chain.problems) : "no anchored checkpoint in the folder",
    );
  }

  // Chains agree where they anchored the same size.
  const bySize = new Map<string, AnchoredCheckpoint[]>();
  for (const c of chains)
    for (const a of c.anchored) bySize.set(a.size.toString(), [...(bySize.get(a.size.toString()) ?? []), a]);
  if (chains.length > 1) {
    const shared = [...bySize.entries()].filter(([, as]) => new Set(as.map((a) => a.runnerId)).size > 1);
    const forks = shared
      .filter(([, as]) => as.some((a) => !bytesEqual(a.rootHash, as[0]!.rootHash)))
      .map(([size, as]) => `size ${size}: ${as.map((a) => a.runnerId).join(" and ")} anchored different roots`);
    report.expect(
      "bucket.chains-agree",
      "Runners' chains agree where they anchored the same size",
      forks.length === 0,
      `${plural(chains.length, "chain")}, ${plural(shared.length, "size")} anchored by more than one (no proof connects the chains at other sizes offline)`,
      `${listed(forks)}: two signed roots for one size (a fork)`,
    );
  }

  // Every kit's checkpoint is an anchored one.
  const unanchored: string[] = [];
  let matched = 0;
  for (const k of kits) {
    if (!k.checkpoint) continue;
    const size = k.checkpoint.size.toString();
    const at = bySize.get(size) ?? [];
    if (origin.ok && k.checkpoint.origin !== origin.value)
      unanchored.push(
        `${k.audit.manifest}: its checkpoint is of ${k.checkpoint.origin}, the anchors of ${origin.value}`,
      );
    else if (at.length === 0)
      unanchored.push(
        `${k.audit.manifest}: its checkpoint (size ${size}) is not anchored: its consistency with the chain cannot be proven offline`,
      );
    else if (at.some((a) => !bytesEqual(a.rootHash, k.checkpoint!.rootHash)))
      unanchored.push(
        `${k.audit.manifest}: its checkpoint has another root than the one anchored at size ${size} (a fork)`,
      );
    else matched++;
  }
  const withCheckpoint = kits.filter((k) => k.checkpoint).length;
  report.expect(
    "bucket.kit-checkpoints",
    "Every kit's checkpoint is one of the anchored checkpoints",
    unanchored.length === 0,
    withCheckpoint === 0
      ? "no kit whose checkpoint verified"
      : `${plural(matched, "kit")}'s checkpoint equal to an anchored one: each entry is in the anchored history up to the newest`,
    listed(unanchored),
  );

  // Witness refusals recorded next to kits.
  const refused: string[] = [];
  for (const r of refusals) {
    const bytes = await copy.read(r);
    const parsed = bytes ? WitnessRefusalSchema.safeParse(parseJson(decode(bytes))) : undefined;
    refused.push(
      parsed?.success
        ? `${r}: ${parsed.data.code} of size ${parsed.data.size} (accepted ${parsed.data.acceptedSize}): ${parsed.data.message}`
        : `${r} (not a refusal record it can read)`,
    );
  }
  report.expect(
    "bucket.witness-refusals",
    "The runner refused no kit's checkpoint",
    refused.length === 0,
    "no witness-refused.json",
    `the runner refused the log's checkpoint as its witness: ${listed(refused)}`,
  );

  // Every backup object has the signed manifest of its name next to it, naming it; every kit is where its
  // manifest's s3.key puts it, below one prefix.
  const byManifest = new Map(kits.map((k) => [k.audit.manifest, k]));
  const prefixes = new Set<string>();
  const placed = new Map<KitFacts, string>();
  const orphans: string[] = [];
  for (const k of kits) {
    if (k.s3Key === undefined) continue;
    const path = `${dirOf(k.audit.manifest)}${k.s3Key.slice(k.s3Key.lastIndexOf("/") + 1)}`;
    const prefix =
      k.s3Key === path ? "" : k.s3Key.endsWith(`/${path}`) ? k.s3Key.slice(0, -path.length - 1) : undefined;
    if (prefix === undefined) orphans.push(`${k.audit.manifest} names ${k.s3Key}, which is not its place in this copy`);
    else {
      prefixes.add(prefix);
      placed.set(k, path);
    }
  }
  const objects: BucketReport["objects"] = [];
  for (const a of artifacts) {
    const manifestPath = kitObjectKey(a, "manifest");
    const kit = byManifest.get(manifestPath);
    if (!kit) orphans.push(`${a}: no kit (${manifestPath} is not in the copy)`);
    else if (kit.s3Key === undefined) orphans.push(`${a}: ${manifestPath} does not verify with a pinned manifest key`);
    else if (placed.get(kit) !== a) orphans.push(`${a}: ${manifestPath} names ${kit.s3Key}, not this object`);
    objects.push({ path: a, manifest: kit && placed.get(kit) === a ? manifestPath : null });
  }
  if (prefixes.size > 1) orphans.push(`the kits name objects under several prefixes: ${[...prefixes].join(", ")}`);
  report.expect(
    "bucket.objects",
    "Every backup object has a kit whose signed manifest names it",
    orphans.length === 0,
    `${plural(artifacts.length, "backup object")}, each named by its kit${prefixes.size === 1 ? ` (prefix ${JSON.stringify([...prefixes][0])})` : ""}`,
    listed(orphans),
  );

  return {
    ...report.build(),
    kits: kits.map((k) => k.audit),
    chains: chains.map((c) => ({
      runnerId: c.runnerId,
      anchored: c.anchored.map((a) => a.size.toString()),
      problems: c.problems,
      notes: c.notes,
    })),
    objects,
  };
}

/**
 * The origin the anchors must have when none is pinned: the first anchored checkpoint's (by runner, then
 * size), which must be the log of the kits' org when it is known.
 */
function firstOrigin(
  folders: ReadonlyMap<string, AnchorFolder>,
  orgId: string | undefined,
): { ok: true; value: string } | { ok: false; message: string } {
  for (const runnerId of [...folders.keys()].sort()) {
    const folder = folders.get(runnerId)!;
    for (const size of [...folder.notes.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))) {
      const text = folder.notes.get(size);
      const cp = text === undefined ? undefined : parseCheckpointNote(text);
      if (!cp?.ok) continue;
      if (orgId !== undefined && !cp.value.origin.endsWith(`/log/${orgId}`))
        return {
          ok: false,
          message: `the anchors are of ${JSON.stringify(cp.value.origin)}, not the log of the kits' org ${orgId} (an origin ending in /log/${orgId})`,
        };
      return { ok: true, value: cp.value.origin };
    }
  }
  return { ok: false, message: "no anchored checkpoint parses" };
}

import { z } from "zod";
import { HashBase64 } from "../log/inclusion-proof.js";
import { Id, Instant, Sha256Hex } from "../schema/common.js";

/**
 * The evidence bundle layout (SPEC.md §Evidence bundle). A zip whose every file is listed, with its
 * size and SHA-256, in a DSSE-signed index; the log window [start, end) is proven complete by the
 * frontier at `start` plus every entry, reproducing the root at `end`, which is consistent with the
 * signed head checkpoint.
 */
export const BundlePaths = {
  index: "index.dsse.json",
  checkpoint: "log/checkpoint.txt",
  frontier: "log/frontier.json",
  entries: "log/entries.jsonl",
  consistency: "log/consistency.json",
  checkpointsDir: "log/checkpoints/",
  manifests: "manifests.jsonl",
  drills: "drills.jsonl",
  restores: "restores.jsonl",
  report: "report.html",
} as const;

/** DSSE payloadType of the signed bundle index. */
export const INDEX_PAYLOAD_TYPE = "application/vnd.walwarden.evidence-index+json";

/** One file of the bundle as the index lists it. */
export const IndexFileSchema = z.strictObject({
  path: z.string().min(1).max(512),
  size: z.number().int().nonnegative(),
  sha256: Sha256Hex,
});

/** The signed index: what the bundle is about and every file in it. */
export const BundleIndexSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal("walwarden-evidence-bundle"),
  orgId: Id,
  origin: z.string().min(1).max(256),
  period: z.strictObject({ from: Instant, to: Instant }),
  log: z.strictObject({
    start: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    end: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    head: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  }),
  createdAt: Instant,
  files: z.array(IndexFileSchema).max(1_000_000),
});
/** The bundle index. */
export type BundleIndex = z.infer<typeof BundleIndexSchema>;

/** `log/frontier.json`: the compact range (left frontier) of the tree of size `size`, largest subtree first. */
export const FrontierFileSchema = z.strictObject({
  v: z.literal(1),
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  hashes: z.array(HashBase64).max(64),
});

/** `log/consistency.json`: RFC 9162 consistency proof from the window's end to the head checkpoint. */
export const ConsistencyFileSchema = z.strictObject({
  v: z.literal(1),
  fromSize: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  toSize: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  hashes: z.array(HashBase64).max(128),
});

/** One line of `restores.jsonl`: a restore's transitions inside the window, in log order. */
export const RestoreHistoryFileSchema = z.strictObject({
  v: z.literal(1),
  restoreId: Id,
  backupId: Id,
  transitions: z
    .array(z.strictObject({ seq: z.number().int().nonnegative(), state: z.string().min(1), at: Instant }))
    .max(100),
});
/** A restore history. */
export type RestoreHistoryFile = z.infer<typeof RestoreHistoryFileSchema>;

/**
 * Most files a bundle may hold. The layout needs a handful plus bundled checkpoints; staying below the
 * classic zip limit (65,535 entries) means no ZIP64, which fflate and many tools do not read.
 */
export const MAX_BUNDLE_FILES = 60_000;

// C2SP signed notes, checkpoints and witness cosignatures (SPEC.md §Signed notes).
export { SIGNATURE_TYPE_ED25519, SIGNATURE_TYPE_COSIGNATURE_V1, noteKeyId, keyIdHex } from "./key-id.js";
export { isValidKeyName } from "./key-name.js";
export { noteTextProblem } from "./note-text.js";
export { formatVkey, parseVkey, noteVerifier, type NoteVerifier, type VkeyErrorCode } from "./vkey.js";
export { formatSignerKey, parseSignerKey, signerVerifier, type NoteSigner } from "./signer.js";
export {
  MAX_NOTE_SIGNATURES,
  formatSignatureLine,
  parseSignedNote,
  type NoteSignature,
  type ParsedNote,
} from "./note-format.js";
export type { MatchErrorCode } from "./key-match.js";
export { openNote, signNote, verifyParsedNote, type OpenedNote, type OpenNoteErrorCode } from "./signed-note.js";
export {
  MAX_TREE_SIZE,
  formatCheckpoint,
  parseCheckpoint,
  parseCheckpointNote,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
  type CheckpointErrorCode,
  type CheckpointInput,
  type VerifiedCheckpoint,
} from "./checkpoint.js";
export {
  MAX_COSIGNATURE_TIMESTAMP,
  cosignCheckpoint,
  cosignatureMessage,
  cosignatureTimestamp,
  cosignerKey,
  cosignerOf,
  formatCosignerVkey,
  parseCosignerVkey,
  verifyCosignatures,
  type CosignatureErrorCode,
  type CosignerKey,
  type WitnessCosignature,
} from "./cosignature.js";

// Witnessing (SPEC §13): what a witness remembers of a log, and the step that accepts or refuses a checkpoint.
export {
  decodeWitnessState,
  encodeWitnessState,
  type WitnessRefusalCode,
  type WitnessState,
  witnessStep,
} from "./witness-step.js";

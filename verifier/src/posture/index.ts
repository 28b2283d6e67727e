// Bucket posture (SPEC §12): what protects the customer's bucket, and what counts as worse.
export { type BucketPosture, BucketPostureSchema, postureWorsening } from "./posture.js";

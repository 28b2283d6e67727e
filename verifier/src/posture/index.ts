// Bucket posture (SPEC §12): what protects the customer's bucket, what counts as worse, and how it is tracked.
export { type BucketPosture, BucketPostureSchema, postureWorsening } from "./posture.js";
export { keepDaysOf, nextPostureRecord, type PostureRecord } from "./record.js";

import { expect } from "vitest";
import { ClaimRestoreResponseSchema, IssueRestoreResponseSchema } from "@walwarden/verifier/wire";
import { call, makeOrg, type Org } from "./client.js";
import { completedBackup } from "./runner-calls.js";

// The restore calls the restore and SSE tests share. The bucket is never contacted: presigning is local
// computation (the CLI tests download through these URLs for real).

/** The bucket of the backups these tests restore. */
export const BUCKET = "acme-backups";
/** A read-only credential for BUCKET. */
export const CREDENTIAL = {
  endpoint: "http://127.0.0.1:4569",
  region: "us-east-1",
  forcePathStyle: true,
  accessKeyId: "RESTOREREADONLY",
  secretAccessKey: "restore-read-only-secret-0123456789",
};

/** An org with a bucket credential and one completed backup to restore. */
export interface Ready extends Org {
  backupId: string;
}

/** Makes an org ready to issue restores: a bucket credential and one completed backup. */
export async function readyOrg(): Promise<Ready> {
  const org = await makeOrg();
  const put = await call("PUT", `/v1/buckets/${BUCKET}`, { token: org.adminToken, json: CREDENTIAL });
  if (put.status !== 200) throw new Error(`bucket credential: ${put.status} ${JSON.stringify(put.body)}`);
  const job = await completedBackup(org);
  return { ...org, backupId: job.backupId };
}

/** POST /v1/restores for the org's backup. */
export const issue = (org: Ready, token = org.operatorToken) =>
  call("POST", "/v1/restores", { token, json: { backupId: org.backupId } });
/** POST /v1/restores/claim, as the CLI does (from `address`, as the platform's CF-Connecting-IP, if given). */
export const claim = (token: string, orgId: string, address?: string) =>
  call("POST", "/v1/restores/claim", {
    json: { token, orgId, clientVersion: "0.1.0" },
    headers: address ? { "cf-connecting-ip": address } : {},
  });
/** A transition reported with the CLI's progress credential. */
export const report = (restoreId: string, credential: string, json: unknown) =>
  call("POST", `/v1/restores/${restoreId}/transition`, { token: credential, json });
/** Progress numbers reported with the CLI's progress credential. */
export const progress = (restoreId: string, credential: string, json: unknown) =>
  call("POST", `/v1/restores/${restoreId}/progress`, { token: credential, json });

/** An issued restore (201 checked). */
export async function issued(org: Ready) {
  const a = await issue(org);
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  return IssueRestoreResponseSchema.parse(a.body);
}

/** An issued and claimed restore, with the CLI's claim answer. */
export async function claimed(org: Ready) {
  const i = await issued(org);
  const c = await claim(i.token, org.orgId);
  expect(c.status, JSON.stringify(c.body)).toBe(200);
  return { ...i, claim: ClaimRestoreResponseSchema.parse(c.body) };
}

/** `n` more viewer API tokens of the org: each is its own principal. */
export async function viewerTokens(org: Org, n: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const a = await call("POST", "/v1/tokens", {
        token: org.adminToken,
        json: { name: `viewer ${i}`, role: "viewer" },
      });
      if (a.status !== 201) throw new Error(`viewer token: ${a.status} ${JSON.stringify(a.body)}`);
      return a.body.token as string;
    }),
  );
}

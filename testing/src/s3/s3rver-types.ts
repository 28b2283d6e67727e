// The parts of @20minutes/s3rver 5.0.0 (it ships no types) this package touches: its Koa context and
// middleware, its S3Error, controllers and built-in account, and the server class.
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** s3rver's Koa context, as far as its routes and our middleware use it. */
export interface S3rverContext {
  params?: { bucket?: string; key?: string };
  path: string;
  method: string;
  query: Record<string, string | string[] | undefined>;
  state: { account?: unknown; website?: unknown };
  req: IncomingMessage;
  store: { getResourcePath(bucket: string, key: string | undefined, kind: string): string };
  body: unknown;
  status: number;
}

/** A Koa middleware over that context. */
export type S3rverMiddleware = (ctx: S3rverContext, next: () => Promise<unknown>) => Promise<unknown>;

/** lib/models/error.js: an S3 error answer. */
export type S3ErrorClass = new (code: string, message: string, detail?: Record<string, string>) => Error;

/** lib/controllers/bucket.js and object.js: the query "methods" they route on, and bucketExists. */
export interface S3rverControllers {
  bucketCtrl: { METHODS: string[]; bucketExists(ctx: S3rverContext): Promise<void> };
  objectCtrl: { METHODS: string[] };
}

/** lib/models/account.js DUMMY_ACCOUNT: the owner of everything. */
export interface S3rverAccount {
  id: string;
  displayName: string;
}

/** The S3rver class (lib/s3rver.js). */
export type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  vhostBuckets: boolean;
  configureBuckets: { name: string; configs: unknown[] }[];
}) => { run(): Promise<AddressInfo>; close(): Promise<void>; httpServer?: Server };

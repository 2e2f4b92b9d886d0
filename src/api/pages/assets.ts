// The browser code of /try and /dashboard lives as typed TypeScript in src/web and is bundled
// here with esbuild, once, on the first request that needs it (start-up stays fast; a bundle
// takes a few hundred milliseconds). The pages refer to the bundles by content hash, so the
// files can be cached for a year and a new build is a new URL. No inline script anywhere:
// the pages' CSP is script-src 'self'; style-src 'self'.
import { createHash } from "node:crypto";
import path from "node:path";
import express, { type Router } from "express";
import type { Logger } from "../../logger.ts";

const WEB_DIR = path.resolve(import.meta.dirname, "../../web");

/** The bundles: one script (and the styles it imports) per page. */
export const BUNDLES = { try: "try/main.ts", dashboard: "dashboard/main.ts" } as const;
export type BundleName = keyof typeof BUNDLES;

export interface Asset {
  body: Buffer;
  contentType: string;
  hash: string;
}

export interface WebAssets {
  /** `/assets/<name>.<ext>?v=<hash>`, building the bundles if not done yet. */
  url(name: BundleName, ext: "js" | "css"): Promise<string>;
  get(file: string): Promise<Asset | undefined>;
}

/** The CSP of a page whose scripts and styles are these files. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function createWebAssets(logger?: Logger): WebAssets {
  let built: Promise<Map<string, Asset>> | undefined;
  const build = () => {
    built ??= bundle().catch((err: unknown) => {
      built = undefined; // try again on the next request
      logger?.error({ err }, "bundling the web pages failed");
      throw err;
    });
    return built;
  };
  return {
    async url(name, ext) {
      const files = await build();
      const asset = files.get(`${name}.${ext}`);
      if (!asset) throw new Error(`no bundle ${name}.${ext}`);
      return `/assets/${name}.${ext}?v=${asset.hash}`;
    },
    async get(file) {
      return (await build()).get(file);
    },
  };
}

async function bundle(): Promise<Map<string, Asset>> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    absWorkingDir: WEB_DIR,
    entryPoints: Object.fromEntries(Object.entries(BUNDLES).map(([name, entry]) => [name, path.join(WEB_DIR, entry)])),
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2020",
    outdir: "/assets",
    write: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
  });
  const files = new Map<string, Asset>();
  for (const f of result.outputFiles) {
    const name = path.basename(f.path);
    const body = Buffer.from(f.contents);
    const contentType = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    files.set(name, { body, contentType, hash: createHash("sha256").update(body).digest("base64url").slice(0, 16) });
  }
  return files;
}

let shared: WebAssets | undefined;
/** One build shared by the pages of this process. */
export function sharedWebAssets(logger?: Logger): WebAssets {
  shared ??= createWebAssets(logger);
  return shared;
}

/** GET /assets/<name>.js|css of one bundle: immutable when asked by the current hash, revalidated otherwise. */
export function createAssetsRouter(assets: WebAssets, name: BundleName): Router {
  const router = express.Router();
  router.get(`/assets/${name}.:ext`, async (req, res, next) => {
    try {
      const asset = await assets.get(`${name}.${req.params.ext}`);
      if (!asset) {
        res.status(404).type("text/plain").send("Not found");
        return;
      }
      const etag = `"${asset.hash}"`;
      res
        .set("content-type", asset.contentType)
        .set("etag", etag)
        .set("x-content-type-options", "nosniff")
        .set("cache-control", req.query.v === asset.hash ? "public, max-age=31536000, immutable" : "no-cache");
      if (req.get("if-none-match") === etag) {
        res.status(304).end();
        return;
      }
      res.status(200).send(asset.body);
    } catch (err) {
      next(err);
    }
  });
  return router;
}

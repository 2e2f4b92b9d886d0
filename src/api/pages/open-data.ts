// GET /open-data/{catalog.json, satisfaction.csv|json, timeliness.csv|json}: public, no key.
// Served from the last stored generation with validators (ETag, Last-Modified) so that
// harvesters and caches download a file once per generation; OPEN_DATA=off answers 404.
import express, { type Router } from "express";
import { OPEN_DATA_FILES, type OpenDataFileName } from "../../core/open-data/datasets.ts";
import type { OpenDataPublisher } from "../../core/open-data/publisher.ts";
import { sendError } from "../http.ts";

export const OPEN_DATA_PATH = "/open-data";

export function createOpenDataRouter(deps: { publisher: OpenDataPublisher | null }): Router {
  const router = express.Router();
  router.get(`${OPEN_DATA_PATH}/:name`, async (req, res, next) => {
    try {
      const name = String(req.params.name);
      if (!deps.publisher || !(OPEN_DATA_FILES as readonly string[]).includes(name))
        return sendError(res, 404, "not_found", deps.publisher ? `No open-data file ${name}` : "Open data is not published here");
      const f = await deps.publisher.file(name as OpenDataFileName);
      const etag = `"${f.etag}"`;
      const lastModified = new Date(Math.floor(f.generatedAt.getTime() / 1000) * 1000);
      res
        .set("etag", etag)
        .set("last-modified", lastModified.toUTCString())
        .set("cache-control", "public, max-age=3600, must-revalidate")
        .set("access-control-allow-origin", "*")
        .set("x-content-type-options", "nosniff");
      const inm = req.get("if-none-match");
      const ims = req.get("if-modified-since");
      const notModified = inm
        ? inm.split(",").some((t) => t.trim() === etag || t.trim() === `W/${etag}` || t.trim() === "*")
        : ims !== undefined && !Number.isNaN(Date.parse(ims)) && Date.parse(ims) >= lastModified.getTime();
      if (notModified) return void res.status(304).end();
      res.status(200).set("content-type", f.contentType).send(f.body);
    } catch (err) {
      next(err);
    }
  });
  return router;
}

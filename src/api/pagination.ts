// Cursor pagination for list routes: `?limit=50&cursor=<opaque>` → `{ items, nextCursor }`.
// The cursor is the sort key of the last item returned (keyset pagination), so pages stay
// free of duplicates and gaps while rows are added or removed between requests.
// The data layer only sees "rows after this key, at most N": it fetches limit + 1 rows and
// the extra row tells us whether there is a next page.
import { z } from "zod";
import { AppError } from "../core/errors.ts";

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** Query parameters of every list route; `.extend({...})` it with the route's filters. */
export const paginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT).describe(`Page size (1–${MAX_PAGE_LIMIT})`),
  cursor: z.string().min(1).max(1000).optional().describe("nextCursor of the previous page; omit for the first page"),
});
export type PaginationQuery = z.infer<typeof paginationQuery>;

export interface Page<T> {
  items: T[];
  /** null on the last page. */
  nextCursor: string | null;
}

/** `{ items, nextCursor }` response schema, named `id` in the OpenAPI document. */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().describe("Pass as ?cursor= to get the next page; null on the last page"),
    })
    .meta({ id });
}

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify({ k: key }), "utf8").toString("base64url");
}

/** Decode a cursor made by encodeCursor; anything else is a 400. */
export function decodeCursor<K>(cursor: string, keySchema: z.ZodType<K>): K {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor();
  }
  const r = z.object({ k: keySchema }).safeParse(raw);
  if (!r.success) throw badCursor();
  return r.data.k;
}

function badCursor(): AppError {
  return new AppError("bad_request", "Invalid cursor: pass the nextCursor value of a previous page unchanged", { cursor: "invalid" });
}

/**
 * One page: `fetch(after, take)` must return rows strictly after `after` in the list's
 * order (all rows from the start when undefined), at most `take` of them; `keyOf` gives
 * the sort key (unique) of a row.
 */
export async function paginate<T, K>(
  query: { limit: number; cursor?: string | undefined },
  keySchema: z.ZodType<K>,
  keyOf: (item: T) => K,
  fetch: (after: K | undefined, take: number) => Promise<T[]>,
): Promise<Page<T>> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, keySchema);
  const rows = await fetch(after, query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

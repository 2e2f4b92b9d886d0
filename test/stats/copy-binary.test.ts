// CopyBinaryToCsv turns PostgreSQL's COPY binary rows (before, basis, after) into export lines,
// rewriting each network chunk in place. Whatever the chunk boundaries and whatever the basis
// (a stored pseudonym, a hashed one, or a basis too short for the rewrite to stay in place),
// the bytes out must be the same lines.
import { describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { CopyBinaryToCsv, PseudonymCache } from "../../src/core/export/sql-csv.ts";
import { pseudonymOf } from "../../src/core/export/feedback-rows.ts";
import { IdentityHasher } from "../../src/core/identity.ts";

const hasher = new IdentityHasher("copy-binary-test-pepper-0123456789");

function copyBinary(rows: [string, string, string][]): Buffer {
  const parts: Buffer[] = [Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(3);
    parts.push(count);
    for (const f of row) {
      const b = Buffer.from(f, "utf8");
      const len = Buffer.alloc(4);
      len.writeInt32BE(b.length);
      parts.push(len, b);
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  parts.push(trailer);
  return Buffer.concat(parts);
}

async function convert(input: Buffer, chunkSize: number, lineEnd?: Buffer): Promise<string> {
  const chunks: Buffer[] = [];
  // Fresh copies: the transform rewrites the chunks it is given.
  for (let i = 0; i < input.length; i += chunkSize) chunks.push(Buffer.from(input.subarray(i, i + chunkSize)));
  return text(Readable.from(chunks).pipe(new CopyBinaryToCsv(new PseudonymCache(hasher), "HEAD\r\n", lineEnd)));
}

describe("CopyBinaryToCsv", () => {
  const rows: [string, string, string][] = [
    ["1,B.001,Phường Lộc Thọ,", "P-abcdefghijklmnop", ",Rất hài lòng,\"đi lại\" 2 lần"],
    ["2,B.002,x,", "id:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ",,"],
    ["3,,", "phone:0905123456", ""],
    // Bases shorter than the pseudonym plus the framing it replaces: the rewrite cannot stay in place.
    ["4", "id:x", ""],
    ["", "d:1", "5"],
    ["6,B.006,Thủ tục số 6 — đăng ký biến động,", "dossier:B.006", ",2024-01-05 08:00:00"],
  ];
  const expected = (end: string) =>
    "HEAD\r\n" + rows.map(([a, basis, c]) => a + (basis.startsWith("P-") ? basis : pseudonymOf(hasher, basis)) + c + end).join("");

  it("writes the same lines whatever the chunk boundaries", async () => {
    const input = copyBinary(rows);
    for (const size of [1, 2, 3, 5, 7, 13, 19, 64, input.length])
      expect(await convert(input, size), `chunks of ${size} bytes`).toBe(expected("\r\n"));
  });

  it("writes sheet rows without a line end, short bases included", async () => {
    const input = copyBinary([...rows, ...rows]);
    const twice = (s: string) => s + s.slice("HEAD\r\n".length);
    for (const size of [4, 11, input.length]) expect(await convert(input, size, Buffer.alloc(0))).toBe(twice(expected("")));
  });

  it("refuses a stream cut before its trailer", async () => {
    const input = copyBinary(rows);
    await expect(convert(input.subarray(0, input.length - 2), 64)).rejects.toThrow(/ended before its trailer/);
  });
});

// The XLSX export's zip writer, read back by an independent reader (Python's zipfile checks
// every entry's CRC and sizes), including the ZIP64 records it writes past 4 GiB — forced
// here with a low threshold — and an output closed half way.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { ZipWriter } from "../../src/core/export/zip.ts";
import { OutputClosedError } from "../../src/core/export/writers.ts";
import { zipEntries } from "../helpers/zip.ts";

/** What Python's zipfile reads: name → [size, SHA-256]; throws if a CRC or size is wrong. */
function pythonRead(zip: Buffer): Record<string, [number, string]> {
  const dir = mkdtempSync(path.join(tmpdir(), "zip-test-"));
  try {
    const file = path.join(dir, "a.zip");
    writeFileSync(file, zip);
    const script = `
import zipfile, hashlib, json, sys
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
out = {}
for i in z.infolist():
    data = z.read(i)
    out[i.filename] = [len(data), hashlib.sha256(data).hexdigest()]
print(json.dumps(out))`;
    return JSON.parse(execFileSync("python3", ["-c", script, file], { encoding: "utf8" })) as Record<string, [number, string]>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function build(zip64From?: number): Promise<{ zip: Buffer; parts: Map<string, Buffer> }> {
  const out = new PassThrough();
  const done = buffer(out);
  const z = new ZipWriter(out, { zip64From });
  const parts = new Map<string, Buffer>();
  const small = Buffer.from('<?xml version="1.0"?><a>Phường Lộc Thọ — đăng ký</a>');
  await z.file("_rels/.rels", small);
  parts.set("_rels/.rels", small);
  const s = await z.stream("xl/worksheets/sheet1.xml");
  const pieces: Buffer[] = [];
  for (let i = 0; i < 3000; i++) {
    const row = `<row r="${i + 2}"><c r="A${i + 2}"><v>${(i * 7919) % 10007}</v></c><c r="B${i + 2}" t="inlineStr"><is><t>Hồ sơ ${i}</t></is></c></row>`;
    pieces.push(Buffer.from(row));
    await s.write(i % 2 ? row : Buffer.from(row));
  }
  await s.end();
  parts.set("xl/worksheets/sheet1.xml", Buffer.concat(pieces));
  const last = Buffer.from("<workbook/>");
  await z.file("xl/workbook.xml", last);
  parts.set("xl/workbook.xml", last);
  await z.end();
  return { zip: await done, parts };
}

describe("ZipWriter", () => {
  it("writes a zip another reader opens, every entry's CRC and size right", async () => {
    const { zip, parts } = await build();
    const read = pythonRead(zip);
    expect(Object.keys(read)).toEqual([...parts.keys()]);
    for (const [name, data] of parts) expect(read[name]).toEqual([data.length, sha(data)]);
    // No ZIP64 record in an archive this small.
    expect(zip.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(false);
    expect([...zipEntries(zip).keys()]).toEqual([...parts.keys()]);
  });

  it("writes ZIP64 sizes, offsets and end records once they pass the limit", async () => {
    const { zip, parts } = await build(1000);
    expect(zip.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true); // ZIP64 end of central directory
    expect(zip.includes(Buffer.from([0x50, 0x4b, 0x06, 0x07]))).toBe(true); // its locator
    const read = pythonRead(zip);
    for (const [name, data] of parts) expect(read[name]).toEqual([data.length, sha(data)]);
  });

  it("fails the writer, without hanging, when the output is closed half way", async () => {
    let taken = 0;
    const out = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _e, cb) {
        taken += chunk.length;
        if (taken > 20_000) this.destroy();
        else setTimeout(cb, 1);
      },
    });
    const z = new ZipWriter(out);
    const s = await z.stream("big.xml");
    const rows = Buffer.from("<row><c><v>1</v></c></row>".repeat(4000));
    const run = async () => {
      for (let i = 0; i < 1000; i++) await s.write(rows);
      await s.end();
      await z.end();
    };
    await expect(run()).rejects.toBeInstanceOf(OutputClosedError);
  });
});

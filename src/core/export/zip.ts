// A zip written front to back into a Writable, for the XLSX export: small entries deflated at
// once, one large entry deflated while it is written (zlib on the thread pool) with its CRC-32
// from zlib.crc32 and its sizes in a data descriptor; ZIP64 records once an entry or the
// archive passes 4 GiB (APPNOTE.TXT 4.3.9, 4.4.1.4, 4.5.3). It replaced yazl, whose CRC-32 in
// JavaScript and four stream hops per chunk took a third of the process's CPU on a 1M-row
// export (bench/export.ts).
import { once } from "node:events";
import type { Writable } from "node:stream";
import { crc32, createDeflateRaw, deflateRawSync } from "node:zlib";
import { drained, OutputClosedError } from "./writers.ts";

const MAX32 = 0xffffffff;
/** 1980-01-01 00:00 as a DOS date (the file times carry no information). */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UTF8_NAMES = 0x0800;
const DATA_DESCRIPTOR = 0x0008;

interface Entry {
  name: Buffer;
  flags: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

export interface ZipEntryStream {
  /** Resolves once the archive can take more (backpressure from the deflater and the output). */
  write(chunk: Buffer | string): Promise<void>;
  end(): Promise<void>;
}

export interface ZipOptions {
  /** Deflate level (default 1: text this regular gains little from more, and level 1 is several times faster). */
  level?: number;
  /** Sizes and offsets from which ZIP64 records are written (4 GiB − 1; lower only in tests). */
  zip64From?: number;
}

export class ZipWriter {
  private offset = 0;
  private readonly entries: Entry[] = [];
  private error: Error | null = null;
  private finished = false;
  private readonly level: number;
  private readonly limit: number;

  constructor(
    private readonly out: Writable,
    opts: ZipOptions = {},
  ) {
    this.level = opts.level ?? 1;
    this.limit = Math.min(opts.zip64From ?? MAX32, MAX32);
    out.on("close", () => {
      if (!this.finished || !out.writableFinished) this.error ??= new OutputClosedError();
    });
    out.on("error", (e: Error) => (this.error ??= e));
  }

  private check(): void {
    if (this.error) throw this.error;
  }

  private async put(b: Buffer): Promise<void> {
    this.check();
    this.offset += b.length;
    if (!this.out.write(b)) await this.drain();
  }

  private async drain(): Promise<void> {
    await drained(this.out).catch(() => {}); // a closed or failed output is this.error
    this.check();
  }

  private localHeader(e: Entry): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4); // version needed: 2.0 (deflate); a data descriptor may still be ZIP64 (4.3.9.2)
    h.writeUInt16LE(e.flags, 6);
    h.writeUInt16LE(8, 8); // deflate
    h.writeUInt16LE(0, 10);
    h.writeUInt16LE(DOS_DATE, 12);
    h.writeUInt32LE(e.crc, 14);
    h.writeUInt32LE(e.compressed, 18);
    h.writeUInt32LE(e.size, 22);
    h.writeUInt16LE(e.name.length, 26);
    h.writeUInt16LE(0, 28);
    return Buffer.concat([h, e.name]);
  }

  /** A whole entry at once (sizes known: no data descriptor). Needs less than 4 GiB. */
  async file(name: string, data: Buffer | string): Promise<void> {
    if (this.finished) throw new Error("the zip is finished");
    const raw = typeof data === "string" ? Buffer.from(data) : data;
    const deflated = deflateRawSync(raw, { level: this.level });
    if (raw.length >= this.limit || deflated.length >= this.limit) throw new Error("a whole-buffer zip entry must stay under 4 GiB");
    const e: Entry = { name: Buffer.from(name), flags: UTF8_NAMES, crc: crc32(raw), compressed: deflated.length, size: raw.length, offset: this.offset };
    this.entries.push(e);
    await this.put(this.localHeader(e));
    await this.put(deflated);
  }

  /** An entry written chunk by chunk; nothing else may be added until its end() resolves. */
  async stream(name: string): Promise<ZipEntryStream> {
    if (this.finished) throw new Error("the zip is finished");
    const e: Entry = { name: Buffer.from(name), flags: UTF8_NAMES | DATA_DESCRIPTOR, crc: 0, compressed: 0, size: 0, offset: this.offset };
    this.entries.push(e);
    await this.put(this.localHeader(e));
    // zlib streams take the stream options too (a 1 MiB buffer: fewer drain waits per chunk).
    const options = { level: this.level, chunkSize: 256 * 1024, highWaterMark: 1024 * 1024 };
    const deflate = createDeflateRaw(options);
    let paused = false;
    deflate.on("data", (c: Buffer) => {
      e.compressed += c.length;
      this.offset += c.length;
      if (!this.out.write(c) && !paused) {
        paused = true;
        deflate.pause();
        void drained(this.out)
          .catch(() => {})
          .finally(() => {
            paused = false;
            if (this.error) deflate.destroy(this.error);
            else deflate.resume();
          });
      }
    });
    const failOnClose = () => deflate.destroy(this.error ?? new OutputClosedError());
    this.out.once("close", failOnClose);
    const ended = once(deflate, "end");
    ended.catch(() => {}); // awaited in end(); an early failure surfaces through write()
    return {
      write: async (chunk) => {
        this.check();
        const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        e.crc = crc32(b, e.crc);
        e.size += b.length;
        if (!deflate.write(b)) await once(deflate, "drain");
        this.check();
      },
      end: async () => {
        this.check();
        deflate.end();
        await ended;
        this.out.off("close", failOnClose);
        const zip64 = e.size >= this.limit || e.compressed >= this.limit;
        const d = Buffer.alloc(zip64 ? 24 : 16);
        d.writeUInt32LE(0x08074b50, 0);
        d.writeUInt32LE(e.crc, 4);
        if (zip64) {
          d.writeBigUInt64LE(BigInt(e.compressed), 8);
          d.writeBigUInt64LE(BigInt(e.size), 16);
        } else {
          d.writeUInt32LE(e.compressed, 8);
          d.writeUInt32LE(e.size, 12);
        }
        await this.put(d);
      },
    };
  }

  /** Writes the central directory and ends the output; resolves when the output has finished. */
  async end(): Promise<void> {
    const start = this.offset;
    const records: Buffer[] = [];
    for (const e of this.entries) {
      const big = [e.size >= this.limit, e.compressed >= this.limit, e.offset >= this.limit];
      const extra: bigint[] = [];
      if (big[0]) extra.push(BigInt(e.size));
      if (big[1]) extra.push(BigInt(e.compressed));
      if (big[2]) extra.push(BigInt(e.offset));
      const zip64 = extra.length > 0;
      const x = Buffer.alloc(zip64 ? 4 + 8 * extra.length : 0);
      if (zip64) {
        x.writeUInt16LE(0x0001, 0);
        x.writeUInt16LE(8 * extra.length, 2);
        extra.forEach((v, i) => x.writeBigUInt64LE(v, 4 + 8 * i));
      }
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(zip64 ? 45 : 20, 4); // made by (MS-DOS attributes), version
      c.writeUInt16LE(zip64 ? 45 : 20, 6); // version needed
      c.writeUInt16LE(e.flags, 8);
      c.writeUInt16LE(8, 10);
      c.writeUInt16LE(0, 12);
      c.writeUInt16LE(DOS_DATE, 14);
      c.writeUInt32LE(e.crc, 16);
      c.writeUInt32LE(big[1] ? MAX32 : e.compressed, 20);
      c.writeUInt32LE(big[0] ? MAX32 : e.size, 24);
      c.writeUInt16LE(e.name.length, 28);
      c.writeUInt16LE(x.length, 30);
      // comment length, disk number, internal and external attributes: 0
      c.writeUInt32LE(big[2] ? MAX32 : e.offset, 42);
      records.push(c, e.name, x);
    }
    const directory = Buffer.concat(records);
    await this.put(directory);
    const size = directory.length;
    const count = this.entries.length;
    const zip64 = start >= this.limit || size >= this.limit || count >= 0xffff || this.entries.some((e) => e.size >= this.limit || e.compressed >= this.limit || e.offset >= this.limit);
    if (zip64) {
      const at = this.offset;
      const r = Buffer.alloc(56 + 20);
      r.writeUInt32LE(0x06064b50, 0);
      r.writeBigUInt64LE(44n, 4);
      r.writeUInt16LE(45, 12);
      r.writeUInt16LE(45, 14);
      // this disk, the directory's disk: 0
      r.writeBigUInt64LE(BigInt(count), 24);
      r.writeBigUInt64LE(BigInt(count), 32);
      r.writeBigUInt64LE(BigInt(size), 40);
      r.writeBigUInt64LE(BigInt(start), 48);
      r.writeUInt32LE(0x07064b50, 56); // locator
      r.writeUInt32LE(0, 60);
      r.writeBigUInt64LE(BigInt(at), 64);
      r.writeUInt32LE(1, 72);
      await this.put(r);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, 0xffff), 8);
    end.writeUInt16LE(Math.min(count, 0xffff), 10);
    end.writeUInt32LE(size >= this.limit ? MAX32 : size, 12);
    end.writeUInt32LE(start >= this.limit ? MAX32 : start, 16);
    this.check();
    this.finished = true;
    this.offset += end.length;
    this.out.end(end);
    if (this.out.writableFinished) return;
    await new Promise<void>((resolve, reject) => {
      this.out.once("finish", () => resolve());
      this.out.once("close", () => (this.out.writableFinished ? resolve() : reject(this.error ?? new OutputClosedError())));
      this.out.once("error", reject);
    });
  }
}

// The few PostgreSQL wire-protocol messages the embedded database's hot statements need
// (src/db/sql.ts): Parse/Describe once per statement, then Bind + Execute + Sync per call, and a
// reader for what comes back. PGlite's own protocol classes keep their state in WeakMaps (its
// build turns private fields into them), so reading one 40-column row through them cost more
// than running the statement; here a row is read straight from the bytes.
// Message formats: PostgreSQL documentation, "Frontend/Backend Protocol — Message Formats".

/** A result column: its name and type (text format). */
export interface WireField {
  name: string;
  typeId: number;
}

/** A statement's error as PGlite's own reader would have made it (SQLSTATE in `code`). */
export interface WireError {
  message: string;
  fields: Record<string, string>;
}

export interface WireResponse {
  /** Parameter types of a described statement ('t'). */
  paramTypes?: number[];
  /** Columns of a described statement ('T'), or [] when it returns no rows ('n'). */
  fields?: WireField[];
  /** Each DataRow's values as text (null for SQL NULL). */
  rows: (string | null)[][];
  error?: WireError;
}

const enc = (s: string) => Buffer.byteLength(s, "utf8");

class Writer {
  readonly buf: Buffer;
  at = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  byte(b: number): this {
    this.buf[this.at++] = b;
    return this;
  }
  int16(n: number): this {
    this.at = this.buf.writeInt16BE(n, this.at);
    return this;
  }
  int32(n: number): this {
    this.at = this.buf.writeInt32BE(n, this.at);
    return this;
  }
  cstring(s: string): this {
    this.at += this.buf.write(s, this.at, "utf8");
    return this.byte(0);
  }
  text(s: string): this {
    this.at += this.buf.write(s, this.at, "utf8");
    return this;
  }
}

/** Parse (named statement, types inferred) + Describe of the statement + Sync. */
export function prepareMessage(name: string, text: string): Uint8Array {
  const parseLen = 4 + enc(name) + 1 + enc(text) + 1 + 2;
  const describeLen = 4 + 1 + enc(name) + 1;
  const w = new Writer(1 + parseLen + 1 + describeLen + 5);
  w.byte(0x50).int32(parseLen).cstring(name).cstring(text).int16(0);
  w.byte(0x44).int32(describeLen).byte(0x53).cstring(name);
  w.byte(0x53).int32(4);
  return w.buf;
}

/** Bind (unnamed portal, text parameters and results) + Execute (all rows) + Sync. */
export function executeMessage(name: string, values: readonly (string | null)[]): Uint8Array {
  let bindLen = 4 + 1 + enc(name) + 1 + 2 + 2 + 2;
  const sizes = values.map((v) => (v === null ? -1 : enc(v)));
  for (const n of sizes) bindLen += 4 + Math.max(n, 0);
  const w = new Writer(1 + bindLen + 1 + 9 + 5);
  w.byte(0x42).int32(bindLen).cstring("").cstring(name).int16(0).int16(values.length);
  values.forEach((v, i) => {
    w.int32(sizes[i]!);
    if (v !== null) w.text(v);
  });
  w.int16(0);
  w.byte(0x45).int32(9).cstring("").int32(0);
  w.byte(0x53).int32(4);
  return w.buf;
}

/** Reads every backend message of one exchange (through ReadyForQuery). */
export function readResponse(data: Uint8Array): WireResponse {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: WireResponse = { rows: [] };
  let at = 0;
  while (at + 5 <= buf.length) {
    const type = buf[at]!;
    const end = at + 1 + buf.readInt32BE(at + 1);
    let p = at + 5;
    switch (type) {
      case 0x44: {
        // DataRow
        const n = buf.readInt16BE(p);
        p += 2;
        const row: (string | null)[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const len = buf.readInt32BE(p);
          p += 4;
          if (len < 0) row[i] = null;
          else {
            row[i] = buf.toString("utf8", p, p + len);
            p += len;
          }
        }
        out.rows.push(row);
        break;
      }
      case 0x54: {
        // RowDescription
        const n = buf.readInt16BE(p);
        p += 2;
        const fields: WireField[] = [];
        for (let i = 0; i < n; i++) {
          const zero = buf.indexOf(0, p);
          const name = buf.toString("utf8", p, zero);
          p = zero + 1;
          fields.push({ name, typeId: buf.readInt32BE(p + 6) });
          p += 18;
        }
        out.fields = fields;
        break;
      }
      case 0x6e: // NoData
        out.fields = [];
        break;
      case 0x74: {
        // ParameterDescription
        const n = buf.readInt16BE(p);
        p += 2;
        const types: number[] = [];
        for (let i = 0; i < n; i++, p += 4) types.push(buf.readInt32BE(p));
        out.paramTypes = types;
        break;
      }
      case 0x45: {
        // ErrorResponse: the first error of the exchange (the rest is skipped until Sync).
        if (out.error) break;
        const fields: Record<string, string> = {};
        while (p < end && buf[p] !== 0) {
          const code = String.fromCharCode(buf[p]!);
          const zero = buf.indexOf(0, p + 1);
          fields[code] = buf.toString("utf8", p + 1, zero);
          p = zero + 1;
        }
        out.error = { message: fields.M ?? "database error", fields };
        break;
      }
      default:
      // ParseComplete, BindComplete, CommandComplete, NoticeResponse, ReadyForQuery …: nothing to read.
    }
    at = end;
  }
  return out;
}

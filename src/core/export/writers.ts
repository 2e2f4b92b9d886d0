// Streaming table writers: CSV (UTF-8 with BOM, CRLF, RFC 4180 quoting) and XLSX (exceljs
// WorkbookWriter: rows are committed and zipped as they come). Both respect the output's
// backpressure, so a slow client holds the database loop instead of filling memory.
import type { Writable } from "node:stream";
import type { CellValue, Column } from "./feedback-rows.ts";

/** Offset of Asia/Ho_Chi_Minh (no DST): spreadsheets have no time zones, so we write local wall time. */
const VN_OFFSET_MS = 7 * 3_600_000;
export const DATE_FORMAT = "yyyy-mm-dd hh:mm:ss";

/**
 * A cell that starts with = + - @ (or tab / CR, which some spreadsheets skip before those)
 * would be run as a formula by Excel or LibreOffice: prefix an apostrophe so it stays text
 * (OWASP "CSV injection"). Control characters other than tab/LF/CR are dropped: XML (XLSX)
 * cannot carry them and no one typed them on purpose.
 */
export function safeText(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "");
  return /^[=+\-@\t\r]/.test(clean) ? "'" + clean : clean;
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
/** Local day number → "YYYY-MM-DD"; an export spans few distinct days, so this stays small. */
const dayText = new Map<number, string>();

/** "YYYY-MM-DD HH:MM:SS" in Vietnam time (milliseconds dropped, as the spreadsheet shows them). */
export function localDateTime(d: Date): string {
  const local = d.getTime() + VN_OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  let date = dayText.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayText.size > 100_000) dayText.clear();
    dayText.set(day, date);
  }
  const secs = Math.floor((local - day * DAY_MS) / 1000);
  return `${date} ${TWO_DIGITS[Math.floor(secs / 3600)]}:${TWO_DIGITS[Math.floor(secs / 60) % 60]}:${TWO_DIGITS[secs % 60]}`;
}

/** Waits until `out` can take more, or fails if it closed (client went away). */
export function drained(out: Writable): Promise<void> {
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: unknown) => {
      out.off("drain", onDrain);
      out.off("close", onClose);
      out.off("error", onError);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new OutputClosedError());
    const onError = (e: unknown) => done(e);
    out.once("drain", onDrain);
    out.once("close", onClose);
    out.once("error", onError);
  });
}

export class OutputClosedError extends Error {
  constructor() {
    super("The output was closed before the export finished");
  }
}

export interface TableWriter {
  /** Adds rows; resolves when the output can take more. */
  rows(rows: CellValue[][]): Promise<void>;
  /** Finishes the file and ends the output. */
  end(): Promise<void>;
}

const NEEDS_QUOTES = /[",\r\n]/;

function csvField(v: CellValue, type: Column["type"]): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return String(v);
  if (v instanceof Date) return localDateTime(v);
  const s = type === "text" ? safeText(v) : v;
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export type HeaderLanguage = "en" | "vi";

/** Column headers: the English names (stable, for scripts) or Vietnamese ones (for people). */
export function headerNames(columns: Column[], headers: HeaderLanguage = "en"): string[] {
  return columns.map((c) => (headers === "vi" ? c.vi : c.header));
}

/** The BOM (Excel then reads the file as UTF-8, Vietnamese diacritics intact) and the header line. */
export function csvHead(columns: Column[], headers: HeaderLanguage = "en"): string {
  return "\uFEFF" + headerNames(columns, headers).map((h) => csvField(h, "text")).join(",") + "\r\n";
}

/** A text as csvField() writes it (SQL rendering pre-formats labels with it). */
export function csvCell(text: string): string {
  return csvField(text, "text");
}

export function csvWriter(out: Writable, columns: Column[], headers: HeaderLanguage = "en"): TableWriter {
  const line = (cells: string[]) => cells.join(",") + "\r\n";
  out.write(csvHead(columns, headers));
  return {
    async rows(rows) {
      let chunk = "";
      for (const r of rows) chunk += line(r.map((v, i) => csvField(v, columns[i]!.type)));
      out.write(chunk);
      await drained(out);
    },
    end: () => endOutput(out),
  };
}

/** Ends the output and waits until everything is flushed. */
export function endOutput(out: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    out.once("error", reject);
    out.end(() => resolve());
  });
}

/**
 * exceljs hands the sheet's XML to the zip through a PassThrough without waiting for it
 * (its StreamBuf ignores backpressure), so rows committed faster than deflate runs pile up
 * in memory. Wait until that PassThrough has drained; without it (another exceljs layout)
 * at least let the event loop run the compressor once.
 */
async function zipCaughtUp(ws: unknown, out: Writable): Promise<void> {
  // The PassThrough comes from archiver's readable-stream 2, which predates writableNeedDrain.
  type Pipe = NodeJS.EventEmitter & { writableNeedDrain?: boolean; destroyed?: boolean; _writableState?: { needDrain?: boolean } };
  const pipe = (ws as { stream?: { pipes?: unknown[] } }).stream?.pipes?.[0] as Pipe | undefined;
  const needsDrain = (p: Pipe) => !p.destroyed && (p.writableNeedDrain ?? p._writableState?.needDrain ?? false);
  if (pipe && typeof pipe.once === "function" && (pipe.writableNeedDrain !== undefined || pipe._writableState)) {
    while (needsDrain(pipe)) {
      // The zip only drains while the output is read: a client that went away ends the wait.
      if (out.destroyed || out.writableEnded) throw new OutputClosedError();
      await new Promise<void>((resolve) => {
        const done = () => {
          pipe.off("drain", done);
          pipe.off("close", done);
          pipe.off("error", done);
          out.off("close", done);
          out.off("error", done);
          resolve();
        };
        pipe.once("drain", done);
        pipe.once("close", done);
        pipe.once("error", done);
        out.once("close", done);
        out.once("error", done);
      });
    }
  } else await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The exceljs streaming writer (what the export used before xlsx.ts; bench/export.ts compares them). Loaded on use: it weighs 16 MB. */
export async function xlsxWriter(out: Writable, columns: Column[], headers: HeaderLanguage = "en", sheetName = "feedback"): Promise<TableWriter> {
  const { default: ExcelJS } = await import("exceljs");
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = "dossier-bot";
  const ws = wb.addWorksheet(sheetName, { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = columns.map((c, i) => ({
    header: headers === "vi" ? c.vi : c.header,
    key: `c${i}`,
    width: c.width,
    ...(c.type === "date" ? { style: { numFmt: DATE_FORMAT } } : {}),
  }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  return {
    async rows(rows) {
      for (const r of rows) {
        const values = r.map((v, i) => {
          if (v === null || v === undefined) return null;
          if (v instanceof Date) return new Date(v.getTime() + VN_OFFSET_MS);
          if (typeof v === "string" && columns[i]!.type === "text") return safeText(v);
          return v;
        });
        ws.addRow(values).commit();
      }
      await zipCaughtUp(ws, out);
      await drained(out);
    },
    async end() {
      ws.commit();
      await wb.commit();
    },
  };
}

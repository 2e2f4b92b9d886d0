// Streaming XLSX without a spreadsheet library: the sheet's XML is written as text straight
// into a zip entry (zip.ts: deflated by Node's zlib as it is written, the zip streamed out
// with backpressure), so memory stays flat in the row count and a row costs one string
// concatenation. exceljs built every cell as an object and ran ~6× slower (bench/export.ts).
// The file: the "feedback" sheet (frozen bold header row with an autofilter, typed cells —
// numbers, dates with a date format, inline text) and a "summary" sheet with the
// satisfaction index by unit (Wilson interval, Decision 766) for the same filters.
import type { Writable } from "node:stream";
import type { CellValue, Column } from "./feedback-rows.ts";
import { safeText, type HeaderLanguage, type TableWriter } from "./writers.ts";
import { ZipWriter, type ZipOptions } from "./zip.ts";

const VN_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;
/** 1970-01-01 as a spreadsheet serial day (1900 date system). */
const EPOCH_SERIAL = 25569;
export const DATE_FORMAT = "yyyy-mm-dd hh:mm:ss";

/** Style indexes of styles.xml below. */
const STYLE = { date: 1, header: 2, percent: 3 } as const;

const XML_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n`;
const NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/** Text for an XML text node: & < > escaped, CR kept as a character reference (parsers would turn it into LF). */
function xmlText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#13;"));
}

function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, "&quot;");
}

/** A, B, …, Z, AA, … */
export function columnLetter(i: number): string {
  let s = "";
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The `<t>` element of an inline string (leading or trailing white space kept). */
export function xlsxT(text: string): string {
  const space = /^\s|\s$/.test(text) ? ' xml:space="preserve"' : "";
  return `<t${space}>${xmlText(text)}</t>`;
}

function textCell(ref: string, text: string, style?: number): string {
  return `<c r="${ref}" t="inlineStr"${style ? ` s="${style}"` : ""}><is>${xlsxT(text)}</is></c>`;
}

/** Dates are written as Vietnam wall-clock serials, to the second (as the CSV shows them). */
function dateSerial(d: Date): number {
  const seconds = Math.floor((d.getTime() + VN_OFFSET_MS) / 1000);
  return seconds / 86_400 + EPOCH_SERIAL;
}

export interface SheetSpec {
  name: string;
  columns: { header: string; width: number; type: Column["type"] | "percent" }[];
}

function sheetStart(spec: SheetSpec, headerRow: string[]): string {
  const cols = spec.columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`).join("");
  const header = headerRow.map((h, i) => textCell(`${columnLetter(i)}1`, h, STYLE.header)).join("");
  return (
    XML_HEAD +
    `<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
    `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
    `<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData><row r="1">${header}</row>`
  );
}

function sheetEnd(columnCount: number, lastRow: number): string {
  return `</sheetData><autoFilter ref="A1:${columnLetter(columnCount - 1)}${Math.max(1, lastRow)}"/></worksheet>`;
}

/** One row of typed cells; null cells are left out (their neighbours carry their own reference). */
function rowXml(letters: string[], types: SheetSpec["columns"][number]["type"][], r: number, values: CellValue[]): string {
  let x = `<row r="${r}">`;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const ref = letters[i]! + r;
    if (typeof v === "number") x += `<c r="${ref}"${types[i] === "percent" ? ` s="${STYLE.percent}"` : ""}><v>${v}</v></c>`;
    else if (v instanceof Date) x += `<c r="${ref}" s="${STYLE.date}"><v>${dateSerial(v)}</v></c>`;
    else x += textCell(ref, types[i] === "text" ? safeText(v) : v);
  }
  return x + "</row>";
}

/** A small sheet held in memory (the summary). */
export function staticSheet(spec: SheetSpec, headerRow: string[], rows: CellValue[][]): string {
  const letters = spec.columns.map((_, i) => columnLetter(i));
  const types = spec.columns.map((c) => c.type);
  return sheetStart(spec, headerRow) + rows.map((v, i) => rowXml(letters, types, i + 2, v)).join("") + sheetEnd(spec.columns.length, rows.length + 1);
}

const STYLES =
  XML_HEAD +
  `<styleSheet xmlns="${NS_MAIN}">` +
  `<numFmts count="1"><numFmt numFmtId="164" formatCode="${DATE_FORMAT}"/></numFmts>` +
  `<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
  `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
  `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
  `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
  `<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
  `<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
  `<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
  `<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>` +
  `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
  `</styleSheet>`;

function contentTypes(sheets: number): string {
  const overrides = Array.from(
    { length: sheets },
    (_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
  ).join("");
  return (
    XML_HEAD +
    `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
    `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
    `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
    overrides +
    `</Types>`
  );
}

const ROOT_RELS =
  XML_HEAD +
  `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

function workbook(sheets: { name: string; columns: number; lastRow: number }[]): string {
  const quoted = (n: string) => `'${n.replace(/'/g, "''")}'`;
  const names = sheets
    .map(
      (s, i) =>
        `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">${xmlText(`${quoted(s.name)}!$A$1:$${columnLetter(s.columns - 1)}$${Math.max(1, s.lastRow)}`)}</definedName>`,
    )
    .join("");
  return (
    XML_HEAD +
    `<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><bookViews><workbookView/></bookViews><sheets>` +
    sheets.map((s, i) => `<sheet name="${xmlAttr(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("") +
    `</sheets><definedNames>${names}</definedNames></workbook>`
  );
}

function workbookRels(sheets: number): string {
  return (
    XML_HEAD +
    `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
    Array.from({ length: sheets }, (_, i) => `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("") +
    `<Relationship Id="rId${sheets + 1}" Type="${NS_REL}/styles" Target="styles.xml"/></Relationships>`
  );
}

export interface ExtraSheet {
  spec: SheetSpec;
  header: string[];
  rows: CellValue[][];
}

/**
 * A TableWriter for the first sheet; `end()` adds the sheets `extra()` returns (computed
 * once the rows are written, e.g. the summary) and finishes the file.
 */
export interface XlsxSheetWriter extends TableWriter {
  /** Rows already rendered as sheet XML (the database renders them: sql-csv.ts); `count` of them. */
  raw(xml: Buffer | string, count: number): Promise<void>;
  /** `dataRows`: how many rows raw() wrote in all, when its counts were not known chunk by chunk. */
  end(dataRows?: number): Promise<void>;
}

export function streamingXlsxWriter(
  out: Writable,
  columns: Column[],
  headers: HeaderLanguage,
  sheetName: string,
  extra: () => Promise<ExtraSheet[]> = async () => [],
  zipOptions: ZipOptions = {},
): XlsxSheetWriter {
  const zip = new ZipWriter(out, zipOptions);
  const spec: SheetSpec = { name: sheetName, columns: columns.map((c) => ({ header: c.header, width: c.width, type: c.type })) };
  const letters = columns.map((_, i) => columnLetter(i));
  const types = spec.columns.map((c) => c.type);
  let r = 1;
  const opened = (async () => {
    await zip.file("_rels/.rels", ROOT_RELS);
    await zip.file("xl/styles.xml", STYLES);
    const sheet = await zip.stream("xl/worksheets/sheet1.xml");
    await sheet.write(sheetStart(spec, columns.map((c) => (headers === "vi" ? c.vi : c.header))));
    return sheet;
  })();
  opened.catch(() => {}); // surfaces at the first rows(), raw() or end()

  return {
    async rows(rows) {
      let chunk = "";
      for (const v of rows) chunk += rowXml(letters, types, ++r, v);
      await (await opened).write(chunk);
    },
    async raw(xml, count) {
      r += count;
      await (await opened).write(xml);
    },
    async end(dataRows?: number) {
      if (dataRows !== undefined) r = 1 + dataRows;
      const sheet = await opened;
      await sheet.write(sheetEnd(columns.length, r));
      await sheet.end();
      const more = await extra();
      for (const [i, s] of more.entries()) await zip.file(`xl/worksheets/sheet${i + 2}.xml`, staticSheet(s.spec, s.header, s.rows));
      const sheets = [{ name: sheetName, columns: columns.length, lastRow: r }, ...more.map((s) => ({ name: s.spec.name, columns: s.spec.columns.length, lastRow: s.rows.length + 1 }))];
      await zip.file("[Content_Types].xml", contentTypes(sheets.length));
      await zip.file("xl/workbook.xml", workbook(sheets));
      await zip.file("xl/_rels/workbook.xml.rels", workbookRels(sheets.length));
      await zip.end();
    },
  };
}

// The QR printed on the receipt slip: `${PUBLIC_URL}/l/<token>`, drawn by the `qrcode`
// package (pure JavaScript, the most used QR encoder on npm). Error correction "M" keeps
// the symbol small (version 4–5 for a typical https host), which is what survives a phone
// photo best; the four-module quiet zone is part of the image so a cut-out still scans.
import QRCode from "qrcode";

export type QrFormat = "svg" | "png";

export const SLIP_LINK_PATH = "/l/";

/** The link the slip's QR opens. */
export function slipLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, "")}${SLIP_LINK_PATH}${token}`;
}

/** The token of a slip link (any host: the token's signature is what counts), else null. */
export function tokenFromSlipLink(text: string): string | null {
  const m = /^https?:\/\/[^/\s?#]+(?:\/[^\s?#]*)?\/l\/([A-Za-z0-9_-]{1,64})\/?(?:[?#]\S*)?$/.exec(text.trim());
  return m ? m[1]! : null;
}

/** The QR as an SVG document or a PNG image (`scale` pixels per module for PNG). */
export async function renderSlipQr(text: string, format: "svg", opts?: { scale?: number }): Promise<string>;
export async function renderSlipQr(text: string, format: "png", opts?: { scale?: number }): Promise<Buffer>;
export async function renderSlipQr(text: string, format: QrFormat, opts?: { scale?: number }): Promise<string | Buffer>;
export async function renderSlipQr(text: string, format: QrFormat, opts: { scale?: number } = {}): Promise<string | Buffer> {
  const common = { errorCorrectionLevel: "M" as const, margin: 4 };
  if (format === "svg") return QRCode.toString(text, { ...common, type: "svg" });
  return QRCode.toBuffer(text, { ...common, type: "png", scale: opts.scale ?? 8 });
}

/** The module matrix (true = dark), without quiet zone: for drawing the QR into other images. */
export function slipQrModules(text: string): boolean[][] {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = qr.modules.size;
  const rows: boolean[][] = [];
  for (let y = 0; y < size; y++) {
    const row: boolean[] = [];
    for (let x = 0; x < size; x++) row.push(qr.modules.get(y, x) === 1);
    rows.push(row);
  }
  return rows;
}

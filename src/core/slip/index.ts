// Receipt slips as a way into the chat (docs/slip.md): the signed token in the slip's QR,
// the short code for Zalo, reading a photo of the slip. Built once per process from the
// configuration (src/context.ts); the transports (API, /l page, channel adapters) and the
// conversation use it.
import type { Config } from "../../app/config.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { createSlipDecodePool, type SlipPhotoDecoder } from "./decode-pool.ts";
import { ensureShortSlipCode, lookupShortSlipCode } from "./short-code.ts";
import { createSlipSigner, slipKey, type SlipSigner } from "./token.ts";

export { SlipDecoderBusyError, type SlipPhotoDecoder } from "./decode-pool.ts";
export { decodeSlipPhoto, MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, slipPayloadFromScan, sniffPhotoType, type PhotoScan } from "./photo.ts";
export { slipLink, renderSlipQr, tokenFromSlipLink } from "./qr.ts";
export { formatShortSlipCode, looksLikeShortSlipCode, lookupShortSlipCode, normalizeShortSlipCode } from "./short-code.ts";
export { createSlipSigner, looksLikeSlipToken, slipExpiresAt, type SlipSigner, type VerifiedSlip } from "./token.ts";

export interface SlipServices {
  /** createSlipToken(code, appointmentAt) / verifySlipToken(token, now). */
  signer: SlipSigner;
  /** Days after the appointment a slip still links (SLIP_VALID_DAYS). */
  validDays: number;
  /** SLIP_PROOF: whether arriving through the slip proves ownership (else it only fills in the code). */
  proof: boolean;
  /** Reads slip photos off the event loop. */
  decoder: SlipPhotoDecoder;
  /** The dossier's short code, created on first use (null: no such dossier). */
  shortCode(dossierCode: string): Promise<string | null>;
  /** The dossier code a short code typed in a chat stands for (null: not one, unknown or expired). */
  lookupShortCode(text: string, now?: Date): Promise<string | null>;
}

export function createSlipServices(deps: { config: Config; prisma: PrismaClient; pepper: string; decoder?: SlipPhotoDecoder }): SlipServices {
  const { config, prisma } = deps;
  const validDays = config.slip.validDays;
  const signer = createSlipSigner(slipKey(config.slip.secret, deps.pepper), { validDays });
  const decoder =
    deps.decoder ??
    createSlipDecodePool({ maxQueued: config.slip.decodeQueue, ...(config.slip.decodeWorkers ? { workers: config.slip.decodeWorkers } : {}) });
  return {
    signer,
    validDays,
    proof: config.slip.proof,
    decoder,
    shortCode: (code) => ensureShortSlipCode(prisma, code),
    lookupShortCode: (text, now) => lookupShortSlipCode(prisma, text, { validDays, ...(now ? { now } : {}) }),
  };
}

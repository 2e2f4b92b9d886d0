// The dossier sync contract (see ../shared/SPEC.md) and status events, as zod schemas.
// The API validates with them and the OpenAPI document is generated from them.
import { z } from "zod";

// Ranges checked here, at the boundary, so that nothing the database cannot hold (or a
// date that would freeze a dossier's history) gets past validation: see docs/import.md
// ("What is accepted").

/** Earliest instant a dossier date may carry (2000-01-01, Vietnam time). */
export const MIN_DATE = new Date("2000-01-01T00:00:00+07:00");
/** How far ahead of the server clock a dossier date (appointment, receipt) may be. */
export const MAX_AHEAD_MS = 366 * 86_400_000;
/** How far ahead of the server clock an event may be dated (clock skew between systems). */
export const EVENT_MAX_AHEAD_MS = 5 * 60_000;
/** Largest statutory duration a procedure can have, in working days. */
export const MAX_DURATION_DAYS = 365;
/** The money columns are 32-bit integers (VND). */
export const MAX_MONEY = 2_147_483_647;

/** Within [2000-01-01, now + aheadMs]: "now" is the server clock when the request is checked. */
export function dateInRange(aheadMs: number) {
  return (v: string) => {
    const t = Date.parse(v);
    return Number.isFinite(t) && t >= MIN_DATE.getTime() && t <= Date.now() + aheadMs;
  };
}
const dateRangeMessage = (ahead: string) => `must be between 2000-01-01 and ${ahead} from now`;
const instant = z.iso.datetime({ offset: true }).describe("ISO 8601 instant with offset, e.g. 2023-01-12T09:00:00+07:00");
export const dossierDateTime = instant.refine(dateInRange(MAX_AHEAD_MS), { message: dateRangeMessage("one year") });
const offsetDateTime = dossierDateTime;
const eventDateTime = instant.refine(dateInRange(EVENT_MAX_AHEAD_MS), { message: dateRangeMessage("5 minutes") });

/**
 * C0 control characters (NUL included) other than tab and line breaks, DEL, and lone UTF-16
 * surrogates (text that is not valid Unicode): such text is rejected, never stripped.
 */
export const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|\p{Cs}/u;
export const noControlChars = (v: string) => !CONTROL_CHARS.test(v);
const controlMessage = { message: "must not contain control characters (U+0000–U+001F other than tab and line breaks, U+007F) or invalid Unicode" };
/** A string without control characters (rejected with 422, see CONTROL_CHARS). */
export const plainString = () => z.string().refine(noControlChars, controlMessage);
const text = (max: number) => z.string().trim().min(1).max(max).refine(noControlChars, controlMessage);
const optText = (max: number) => z.string().trim().max(max).refine(noControlChars, controlMessage);

export const returnMethodSchema = z.enum(["counter", "postal", "online"]);
export const feeStatusSchema = z.enum(["none", "due", "paid"]);
export const statusSchema = z.int().min(1).max(10).describe("1 new · 2 received · 3 refused · 4 processing · 5 supplement requested · 6 fee due · 7 withdrawn · 8 suspended · 9 result ready · 10 returned");

export const dossierInputSchema = z
  .object({
    unitCode: text(64).describe("Official unit code (QCVN 102:2016), e.g. 000.00.15.H32"),
    unitName: text(300).optional().describe("Required when the unit is new"),
    parentUnitCode: text(64).optional().describe("Parent unit code when the unit is new"),
    fieldCode: text(64).optional(),
    fieldName: text(300).optional(),
    procedureCode: text(64),
    procedureName: text(500).optional().describe("Required when the procedure is new"),
    procedureDurationDays: z.int().min(0).max(MAX_DURATION_DAYS).optional().describe("Statutory duration in working days"),
    applicant: z.object({
      name: text(200),
      phone: optText(20).optional(),
      idNumber: optText(20).optional().describe("CCCD/CMND; stored only as a hash and a masked form"),
    }),
    receivedAt: offsetDateTime,
    appointmentAt: offsetDateTime.optional().describe("Omitted: computed from receivedAt + procedure duration in working days"),
    status: statusSchema,
    returnMethod: returnMethodSchema.optional(),
    currentStep: optText(300).nullable().optional(),
    feeStatus: feeStatusSchema.optional(),
    feeAmount: z.int().min(0).max(MAX_MONEY).nullable().optional(),
    supplementReason: optText(2000).nullable().optional(),
    stopReason: optText(2000).nullable().optional(),
    finishedAt: offsetDateTime.nullable().optional(),
    returnedAt: offsetDateTime.nullable().optional(),
    postalDelivered: z.boolean().nullable().optional(),
  })
  .meta({ id: "DossierInput" });
export type DossierInput = z.infer<typeof dossierInputSchema>;

export const statusEventSchema = z
  .object({
    eventId: text(200).describe("Idempotency key: the same eventId twice has no second effect"),
    status: statusSchema,
    at: eventDateTime.describe("When the status changed: 2000-01-01 up to 5 minutes ahead of the server clock"),
    note: optText(2000).optional(),
    reason: optText(2000).optional(),
    newAppointmentAt: offsetDateTime.optional().describe("New appointment date (apology / re-dating)"),
  })
  .meta({ id: "StatusEvent" });
export type StatusEventInput = z.infer<typeof statusEventSchema>;

export const dossierViewSchema = z
  .object({
    code: z.string(),
    unit: z.object({ code: z.string(), name: z.string() }),
    field: z.object({ code: z.string(), name: z.string() }).nullable(),
    procedure: z.object({ code: z.string(), name: z.string(), durationDays: z.int().nullable() }),
    applicant: z.object({ name: z.string(), phone: z.string().nullable(), idNumberMasked: z.string().nullable() }),
    receivedAt: z.string(),
    appointmentAt: z.string(),
    appointmentComputed: z.boolean(),
    status: z.int(),
    statusName: z.string(),
    statusAt: z.string(),
    currentStep: z.string().nullable(),
    returnMethod: returnMethodSchema,
    postalDelivered: z.boolean().nullable(),
    feeStatus: feeStatusSchema,
    feeAmount: z.int().nullable(),
    supplementCount: z.int(),
    supplementReason: z.string().nullable(),
    stopReason: z.string().nullable(),
    finishedAt: z.string().nullable(),
    returnedAt: z.string().nullable(),
    timeliness: z.object({
      state: z.enum(["on_time", "late", "open", "overdue"]),
      workingDaysLeft: z.number().nullable(),
      workingDaysLate: z.number(),
      countsAsOverdueNationally: z.boolean(),
    }),
    demo: z.boolean(),
    history: z.array(
      z.object({ eventId: z.string(), status: z.int(), at: z.string(), note: z.string().nullable(), reason: z.string().nullable(), applied: z.boolean(), source: z.string() }),
    ),
  })
  .meta({ id: "Dossier" });
export type DossierView = z.infer<typeof dossierViewSchema>;

export const catalogueWarningSchema = z
  .object({
    kind: z.enum(["unit.name", "field.name", "procedure.name", "procedure.durationDays", "procedure.field"]),
    code: z.string(),
    stored: z.union([z.string(), z.number()]).nullable().describe("What the catalogue keeps"),
    given: z.union([z.string(), z.number()]).nullable().describe("What the dossier write said"),
    message: z.string(),
  })
  .describe("A dossier write named an existing unit, field or procedure differently: the catalogue is not changed (admin API only); audit-logged as catalogue.mismatch")
  .meta({ id: "CatalogueWarning" });

// The dossier sync contract (see ../shared/SPEC.md) and status events, as zod schemas.
// The API validates with them and the OpenAPI document is generated from them.
import { z } from "zod";

const offsetDateTime = z.iso.datetime({ offset: true }).describe("ISO 8601 instant with offset, e.g. 2023-01-12T09:00:00+07:00");
const text = (max: number) => z.string().trim().min(1).max(max);

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
    procedureDurationDays: z.int().min(0).max(1000).optional().describe("Statutory duration in working days"),
    applicant: z.object({
      name: text(200),
      phone: z.string().trim().max(20).optional(),
      idNumber: z.string().trim().max(20).optional().describe("CCCD/CMND; stored only as a hash and a masked form"),
    }),
    receivedAt: offsetDateTime,
    appointmentAt: offsetDateTime.optional().describe("Omitted: computed from receivedAt + procedure duration in working days"),
    status: statusSchema,
    returnMethod: returnMethodSchema.optional(),
    currentStep: z.string().trim().max(300).nullable().optional(),
    feeStatus: feeStatusSchema.optional(),
    feeAmount: z.int().min(0).nullable().optional(),
    supplementReason: z.string().trim().max(2000).nullable().optional(),
    stopReason: z.string().trim().max(2000).nullable().optional(),
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
    at: offsetDateTime,
    note: z.string().trim().max(2000).optional(),
    reason: z.string().trim().max(2000).optional(),
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
    supplementReason: z.string().nullable().describe("What the citizen was told to bring (the latest request)"),
    supplementPending: z.boolean().describe("Waiting for the citizen's supplement now (status 5): the clock is paused"),
    supplementRequestedAt: z.string().nullable(),
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

// Administration REST routes (role admin): units, fields, procedures, holiday calendar,
// API keys, audit log; plus GET /calendar/appointment for staff to check the calendar.
// Domain logic: src/core/admin.ts.
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import {
  AdminService,
  apiKeyCreatedSchema,
  apiKeyInputSchema,
  apiKeySchema,
  appointmentSchema,
  auditEntrySchema,
  calendarDayInputSchema,
  calendarDaySchema,
  codeSchema,
  fieldInputSchema,
  fieldSchema,
  holidayImportResultSchema,
  holidayImportSchema,
  procedureDetailSchema,
  procedureInputSchema,
  procedureSchema,
  unitDetailSchema,
  unitInputSchema,
  unitSchema,
} from "../../core/admin.ts";
import type { ApiRoutes } from "../http.ts";
import { pageSchema, paginate, paginationQuery } from "../pagination.ts";

const unitParams = z.object({ code: codeSchema.describe("Official unit code, e.g. 000.00.15.H32") });
const fieldParams = z.object({ code: codeSchema.describe("Field (lĩnh vực) code, e.g. DD") });
const procedureParams = z.object({ code: codeSchema.describe("Procedure code, e.g. 1.004227") });
// Only the shape here: whether the day exists is checked by the service (400 either way).
const dateParams = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD").describe("Local date YYYY-MM-DD") });
const apiKeyParams = z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647).describe("API key id") });

const offsetDateTime = z.iso.datetime({ offset: true });
const codeKey = z.string();
const auditKey = z.object({ at: z.iso.datetime(), id: z.string().regex(/^\d{1,19}$/) });

const ok = z.object({ created: z.boolean() });

export function adminRoutes(api: ApiRoutes, ctx: AppContext): void {
  const admin = new AdminService({ prisma: ctx.prisma, calendar: ctx.calendar });
  const roles: ["admin"] = ["admin"];

  // ---------------------------------------------------------------- units
  api.add({
    method: "get",
    path: "/units",
    summary: "List administrative units (by code)",
    tags: ["admin: units"],
    roles,
    query: paginationQuery.extend({
      parentCode: codeSchema.optional().describe("Only the direct children of this unit"),
      q: z.string().trim().min(1).max(200).optional().describe("Case-insensitive search in name and code"),
    }),
    response: pageSchema(unitSchema, "UnitPage"),
    handler: async ({ query }) =>
      paginate(query, codeKey, (u) => u.code, (after, take) => admin.listUnits({ parentCode: query.parentCode, q: query.q }, { after, take })),
  });

  api.add({
    method: "get",
    path: "/units/{code}",
    summary: "One unit with its parent and children codes",
    tags: ["admin: units"],
    roles,
    params: unitParams,
    response: unitDetailSchema,
    handler: async ({ params }) => admin.getUnit(params.code),
  });

  api.add({
    method: "put",
    path: "/units/{code}",
    summary: "Create or update a unit (201 created, 200 updated; 422 for an unknown parent or a parent cycle)",
    tags: ["admin: units"],
    roles,
    params: unitParams,
    body: unitInputSchema,
    response: ok.extend({ unit: unitDetailSchema }),
    handler: async ({ params, body, principal, res }) => {
      const out = await admin.upsertUnit(params.code, body, principal.actor);
      res.status(out.created ? 201 : 200);
      return out;
    },
  });

  api.add({
    method: "delete",
    path: "/units/{code}",
    summary: "Delete a unit (409 while it has dossiers or child units)",
    tags: ["admin: units"],
    roles,
    params: unitParams,
    status: 204,
    handler: async ({ params, principal }) => {
      await admin.deleteUnit(params.code, principal.actor);
    },
  });

  // ---------------------------------------------------------------- fields
  api.add({
    method: "get",
    path: "/fields",
    summary: "List fields (lĩnh vực)",
    tags: ["admin: procedures"],
    roles,
    query: paginationQuery,
    response: pageSchema(fieldSchema, "FieldPage"),
    handler: async ({ query }) => paginate(query, codeKey, (f) => f.code, (after, take) => admin.listFields({ after, take })),
  });

  api.add({
    method: "put",
    path: "/fields/{code}",
    summary: "Create or rename a field (201 created, 200 updated)",
    tags: ["admin: procedures"],
    roles,
    params: fieldParams,
    body: fieldInputSchema,
    response: ok.extend({ field: fieldSchema }),
    handler: async ({ params, body, principal, res }) => {
      const out = await admin.upsertField(params.code, body, principal.actor);
      res.status(out.created ? 201 : 200);
      return out;
    },
  });

  // ---------------------------------------------------------------- procedures
  api.add({
    method: "get",
    path: "/procedures",
    summary: "List procedures (by code)",
    tags: ["admin: procedures"],
    roles,
    query: paginationQuery.extend({ fieldCode: codeSchema.optional().describe("Only procedures of this field") }),
    response: pageSchema(procedureSchema, "ProcedurePage"),
    handler: async ({ query }) =>
      paginate(query, codeKey, (p) => p.code, (after, take) => admin.listProcedures({ fieldCode: query.fieldCode }, { after, take })),
  });

  api.add({
    method: "get",
    path: "/procedures/{code}",
    summary: "One procedure",
    tags: ["admin: procedures"],
    roles,
    params: procedureParams,
    response: procedureDetailSchema,
    handler: async ({ params }) => admin.getProcedure(params.code),
  });

  api.add({
    method: "put",
    path: "/procedures/{code}",
    summary: "Create or update a procedure (201 created, 200 updated; 422 for an unknown field)",
    tags: ["admin: procedures"],
    roles,
    params: procedureParams,
    body: procedureInputSchema,
    response: ok.extend({ procedure: procedureDetailSchema }),
    handler: async ({ params, body, principal, res }) => {
      const out = await admin.upsertProcedure(params.code, body, principal.actor);
      res.status(out.created ? 201 : 200);
      return out;
    },
  });

  api.add({
    method: "delete",
    path: "/procedures/{code}",
    summary: "Delete a procedure (409 while it has dossiers)",
    tags: ["admin: procedures"],
    roles,
    params: procedureParams,
    status: 204,
    handler: async ({ params, principal }) => {
      await admin.deleteProcedure(params.code, principal.actor);
    },
  });

  // ---------------------------------------------------------------- holiday calendar
  api.add({
    method: "get",
    path: "/holidays",
    summary: "Calendar exceptions (days off on weekdays, worked weekend days), by date",
    tags: ["admin: calendar"],
    roles,
    query: paginationQuery.extend({ year: z.coerce.number().int().min(1900).max(2200).optional().describe("Only this year, e.g. 2026") }),
    response: pageSchema(calendarDaySchema, "CalendarDayPage"),
    handler: async ({ query }) => paginate(query, codeKey, (d) => d.date, (after, take) => admin.listHolidays({ year: query.year }, { after, take })),
  });

  api.add({
    method: "put",
    path: "/holidays/{date}",
    summary: "Set one calendar exception (422: a day_off on a weekend or an extra_working_day on a weekday)",
    tags: ["admin: calendar"],
    roles,
    params: dateParams,
    body: calendarDayInputSchema,
    response: ok.extend({ day: calendarDaySchema }),
    handler: async ({ params, body, principal, res }) => {
      const out = await admin.putHoliday(params.date, body, principal.actor);
      res.status(out.created ? 201 : 200);
      return out;
    },
  });

  api.add({
    method: "delete",
    path: "/holidays/{date}",
    summary: "Remove one calendar exception",
    tags: ["admin: calendar"],
    roles,
    params: dateParams,
    status: 204,
    handler: async ({ params, principal }) => {
      await admin.deleteHoliday(params.date, principal.actor);
    },
  });

  api.add({
    method: "post",
    path: "/holidays/import",
    summary: "Replace all calendar exceptions of one year at once (all or nothing)",
    tags: ["admin: calendar"],
    roles,
    body: holidayImportSchema,
    response: holidayImportResultSchema,
    handler: async ({ body, principal }) => admin.importHolidays(body, principal.actor),
  });

  api.add({
    method: "get",
    path: "/calendar/appointment",
    summary: "Compute the appointment (ngày hẹn trả) for a receipt instant and a duration in working days",
    tags: ["calendar"],
    roles: ["staff"],
    query: z.object({
      receivedAt: offsetDateTime.describe("ISO 8601 instant with offset, e.g. 2026-03-02T09:00:00+07:00"),
      days: z.coerce.number().min(0).max(1000).describe("Duration in working days (fractions allowed)"),
      now: offsetDateTime.optional().describe("Reference instant for workingDaysLeft (default: now)"),
    }),
    response: appointmentSchema,
    handler: async ({ query }) => admin.appointment(new Date(query.receivedAt), query.days, query.now ? new Date(query.now) : new Date()),
  });

  // ---------------------------------------------------------------- API keys
  api.add({
    method: "get",
    path: "/api-keys",
    summary: "List API keys (never the key itself)",
    tags: ["admin: api keys"],
    roles,
    query: paginationQuery,
    response: pageSchema(apiKeySchema, "ApiKeyPage"),
    handler: async ({ query }) => paginate(query, z.int(), (k) => k.id, (after, take) => admin.listApiKeys({ after, take })),
  });

  api.add({
    method: "post",
    path: "/api-keys",
    summary: "Create an API key (the key is in this response only)",
    tags: ["admin: api keys"],
    roles,
    body: apiKeyInputSchema,
    response: apiKeyCreatedSchema,
    status: 201,
    handler: async ({ body, principal }) => admin.createApiKey(body, principal.actor),
  });

  api.add({
    method: "delete",
    path: "/api-keys/{id}",
    summary: "Revoke an API key (it stops working at once)",
    tags: ["admin: api keys"],
    roles,
    params: apiKeyParams,
    status: 204,
    handler: async ({ params, principal }) => {
      await admin.revokeApiKey(params.id, principal.actor);
    },
  });

  // ---------------------------------------------------------------- audit log
  api.add({
    method: "get",
    path: "/audit-log",
    summary: "Audit log, newest first",
    tags: ["admin: audit"],
    roles,
    query: paginationQuery.extend({
      action: z.string().trim().min(1).max(100).optional().describe('Exact action, e.g. unit.upsert, or a prefix ending in *, e.g. "holiday.*"'),
      actor: z.string().trim().min(1).max(100).optional().describe('e.g. "api-key:12", "bootstrap"'),
      since: offsetDateTime.optional().describe("Inclusive"),
      until: offsetDateTime.optional().describe("Exclusive"),
    }),
    response: pageSchema(auditEntrySchema, "AuditLogPage"),
    handler: async ({ query }) =>
      paginate(
        query,
        auditKey,
        (e) => ({ at: e.at, id: e.id }),
        (after, take) =>
          admin.listAudit(
            {
              action: query.action,
              actor: query.actor,
              since: query.since ? new Date(query.since) : undefined,
              until: query.until ? new Date(query.until) : undefined,
            },
            { after, take },
          ),
      ),
  });
}

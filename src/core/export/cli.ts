// `npm run cli -- export feedback --format csv|xlsx --out <file> [filters]`
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { CliCommand } from "../../app/cli.ts";
import { feedbackFilterSchema } from "./feedback-rows.ts";
import { EXPORT_FORMATS, prepareExport, writeFeedbackExport, type ExportFormat } from "./index.ts";

const USAGE =
  "export feedback --format csv|xlsx --out <file> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--unit <code>] [--field <code>] [--procedure <code>] [--channel telegram|zalo|web] [--headers en|vi] [--identities]";

export const exportCliCommands: CliCommand[] = [
  {
    name: "export feedback",
    usage: `${USAGE}   (one row per response; pseudonymised unless --identities, which is audit-logged)`,
    async run(args, { ctx, print }) {
      let values;
      try {
        ({ values } = parseArgs({
          args,
          options: {
            format: { type: "string" },
            out: { type: "string" },
            from: { type: "string" },
            to: { type: "string" },
            unit: { type: "string" },
            field: { type: "string" },
            procedure: { type: "string" },
            channel: { type: "string" },
            headers: { type: "string" },
            identities: { type: "boolean", default: false },
          },
        }));
      } catch (err) {
        print(`${(err as Error).message}\nusage: ${USAGE}`);
        return 2;
      }
      const format = values.format as ExportFormat | undefined;
      if (!format || !EXPORT_FORMATS.includes(format) || !values.out || (values.headers !== undefined && values.headers !== "en" && values.headers !== "vi")) {
        print(`usage: ${USAGE}`);
        return 2;
      }
      const parsed = feedbackFilterSchema.safeParse({
        from: values.from,
        to: values.to,
        unitCode: values.unit,
        fieldCode: values.field,
        procedureCode: values.procedure,
        channel: values.channel,
        identities: values.identities ? "true" : "false",
      });
      if (!parsed.success) {
        print(`Invalid filters: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
        return 2;
      }
      const deps = { prisma: ctx!.prisma, hasher: ctx!.hasher, serverUrl: ctx!.db.url, target: ctx!.config.satisfactionTarget };
      let resolved;
      try {
        resolved = await prepareExport(deps, parsed.data, format, "cli");
      } catch (err) {
        print((err as Error).message);
        return 1;
      }
      // Write next to the target and rename at the end: a failed export leaves no half file.
      const tmp = `${values.out}.partial`;
      const out = createWriteStream(tmp);
      try {
        const n = await writeFeedbackExport(deps, resolved, { format, identities: parsed.data.identities, headers: values.headers === "vi" ? "vi" : "en" }, out);
        await rename(tmp, values.out);
        print(`Wrote ${n} responses to ${values.out}${parsed.data.identities ? " (with identities; audit-logged)" : ""}.`);
        return 0;
      } catch (err) {
        out.destroy();
        await rm(tmp, { force: true });
        throw err;
      }
    },
  },
];

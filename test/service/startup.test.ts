// The service as a process: fresh start on the embedded database with demo data, a second
// process on the same folder refused, graceful shutdown, restart. The one-line refusals (bad
// settings, port in use, missing database) are in startup-errors.test.ts, so that the two files
// run side by side.
import { describe, expect, it } from "vitest";
import { usingServer } from "../helpers/db.ts";
import { serviceProcesses, waitFor } from "../helpers/service-process.ts";

const { run, tempDir } = serviceProcesses();

describe.skipIf(usingServer())("service process", () => {
  let started: string | undefined;
  it("starts on a fresh embedded database with demo data, refuses a second process, and shuts down gracefully", async () => {
    const dataDir = tempDir();
    const first = run({ DATA_DIR: dataDir });
    await waitFor(() => /running on (http:\S+)/.test(first.output()));
    const url = /running on (http:\S+)/.exec(first.output())![1]!;
    expect(first.output()).toContain("DEMO DATA");
    expect(first.output()).toMatch(/Telegram:\s+disabled — TELEGRAM_BOT_TOKEN not set/);

    const ready = await fetch(url + "/readyz");
    expect(ready.status).toBe(200);
    expect((await fetch(url + "/healthz")).status).toBe(200);

    const second = run({ DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by process \d+/);
    expect(second.output()).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    // The running service did not notice.
    expect((await fetch(url + "/readyz")).status).toBe(200);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    started = dataDir;
  });

  it("restarts on the same folder without a second demo seed; SIGTERM lets an in-flight request finish", async () => {
    // The folder the first test started and stopped (a fresh one if that test failed).
    const dataDir = started ?? tempDir();
    const key = "graceful-admin-key-0123456789";
    const svc = run({ DATA_DIR: dataDir, ADMIN_API_KEY: key });
    await waitFor(() => /running on (http:\S+)/.test(svc.output()));
    if (started) expect(svc.output()).not.toContain("DEMO DATA");
    const url = /running on (http:\S+)/.exec(svc.output())![1]!;
    const row = JSON.stringify({
      code: "000.00.15.H32-230112-0777",
      unitCode: "000.00.15.H32",
      unitName: "UBND phường Cam Lộc",
      procedureCode: "1.004227",
      procedureName: "Đăng ký biến động",
      procedureDurationDays: 10,
      applicant: { name: "Nguyễn Văn A" },
      receivedAt: "2023-01-12T09:00:00+07:00",
      status: 4,
    });
    // The body arrives in two parts; the signal comes between them.
    let sendRest!: () => void;
    const body = new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(new TextEncoder().encode("[" + row.slice(0, 40)));
        await new Promise<void>((r) => (sendRest = r));
        c.enqueue(new TextEncoder().encode(row.slice(40) + "]"));
        c.close();
      },
    });
    const pending = fetch(url + "/api/v1/dossiers/import", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    await new Promise((r) => setTimeout(r, 300));
    svc.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    sendRest();
    const res = await pending;
    expect(res.status).toBe(200);
    expect((await res.json()).imported).toBe(1);
    expect(await svc.exited).toBe(0);
  });
});

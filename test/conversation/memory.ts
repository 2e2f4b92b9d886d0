// The conversation over the in-memory store: no database, a settable clock, the shared
// corpus model. Most conversation tests use this; those that check stored rows use the
// database harness (helpers.ts), and store-contract.test.ts holds both stores to one behaviour.
import { shippedCalendar } from "../../src/core/calendar-store.ts";
import type { CitizenDossier } from "../../src/core/conversation/citizen-view.ts";
import { ConversationService, type ChannelName, type InboundMessage, type Reply } from "../../src/core/conversation/index.ts";
import { MemoryConversationStore } from "../../src/core/conversation/memory-store.ts";
import { corpusUnderstanding } from "../../src/core/conversation/understanding/service.ts";
import { HOTLINE_FALLBACK, NOW, UNIT, assertWellFormed, type ChatUser } from "./chat.ts";

export interface MemoryHarness {
  store: MemoryConversationStore;
  clock: { now: Date };
  svc: ConversationService;
  user(userId: string, opts?: { channel?: ChannelName; languageHint?: string }): ChatUser;
  /** A dossier as the provincial software synced it (status 4, appointment 02/02/2023 09:00). */
  dossier(code: string, over?: Partial<CitizenDossier> & { phone?: string | null; idLast4?: string | null; demo?: boolean }): CitizenDossier;
}

let nextId = 1;

export function memoryHarness(opts: { hotlineFallback?: string | null } = {}): MemoryHarness {
  const store = new MemoryConversationStore();
  const clock = { now: NOW };
  const calendar = shippedCalendar();
  const svc = new ConversationService({
    store,
    understander: corpusUnderstanding(),
    calendar: async () => calendar,
    now: () => clock.now,
    ...(opts.hotlineFallback === null ? {} : { hotlineFallback: opts.hotlineFallback ?? HOTLINE_FALLBACK }),
  });
  return {
    store,
    clock,
    svc,
    user(userId, o = {}) {
      const channel = o.channel ?? "telegram";
      const send = async (input: InboundMessage["input"]): Promise<Reply[]> => {
        const replies = await svc.handle({ channel, userId, input, ...(o.languageHint ? { languageHint: o.languageHint } : {}) });
        assertWellFormed(replies);
        return replies;
      };
      return {
        userId,
        channel,
        send,
        text: (text) => send({ kind: "text", text }),
        press: (data) => send({ kind: "button", data }),
        contact: (phone, own = true) => send({ kind: "contact", phone, own }),
        command: (command, args = "") => send({ kind: "command", command, args }),
      };
    },
    dossier(code, over = {}) {
      const { phone = "0905123456", idLast4 = "1234", demo = false, ...fields } = over;
      const d: CitizenDossier = {
        id: nextId++,
        code,
        receivedAt: new Date("2023-01-12T09:00:00+07:00"),
        appointmentAt: new Date("2023-02-02T09:00:00+07:00"),
        originalAppointmentAt: null,
        status: 4,
        statusAt: new Date("2023-01-12T09:00:00+07:00"),
        currentStep: "Thẩm định hồ sơ",
        returnMethod: "counter",
        postalDelivered: null,
        feeStatus: "none",
        feeAmount: null,
        supplementCount: 0,
        supplementReason: null,
        stopReason: null,
        finishedAt: null,
        returnedAt: null,
        unit: { id: 1, name: UNIT.name, address: UNIT.address, hotline: UNIT.hotline, openingHours: UNIT.openingHours },
        procedure: { name: "Đăng ký biến động quyền sử dụng đất" },
        ...fields,
      };
      store.addDossier({ dossier: d, applicantPhone: phone, idLast4, demo });
      return d;
    },
  };
}

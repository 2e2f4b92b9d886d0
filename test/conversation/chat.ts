// Chat vocabulary shared by the conversation tests with and without a database: the clock,
// the unit, chat users, and small reply helpers. Imports nothing that opens a database.
import { expect } from "vitest";
import type { ChannelName, InboundMessage, Reply } from "../../src/core/conversation/index.ts";

/** Monday 06/02/2023 10:00 in Vietnam: a working morning after Tết 2023. */
export const NOW = new Date("2023-02-06T10:00:00+07:00");
export const HOTLINE_FALLBACK = "1900 1234";

export const UNIT = {
  code: "000.00.15.H32",
  name: "UBND phường Cam Lộc",
  hotline: "0258 3854 123",
  address: "12 Lê Duẩn, phường Cam Lộc, Khánh Hòa",
  openingHours: "Thứ Hai – Thứ Sáu, 07:00–11:30 và 13:30–17:00",
};
export const OTHER_UNIT = { code: "000.00.16.H32", name: "UBND phường Cam Nghĩa", hotline: "0258 3866 456" };

export interface ChatUser {
  userId: string;
  channel: ChannelName;
  send(input: InboundMessage["input"]): Promise<Reply[]>;
  text(text: string): Promise<Reply[]>;
  press(data: string): Promise<Reply[]>;
  contact(phone: string, own?: boolean): Promise<Reply[]>;
  command(command: Extract<InboundMessage["input"], { kind: "command" }>["command"], args?: string): Promise<Reply[]>;
}

/** Every reply has text, no unresolved Fluent placeholder, no bidi isolation mark, short button data. */
export function assertWellFormed(replies: Reply[]): void {
  expect(replies.length).toBeGreaterThan(0);
  for (const r of replies) {
    expect(r.text.trim()).not.toBe("");
    expect(r.text).not.toMatch(/\{\s*\$|[\u2068\u2069]/);
    if (r.kind === "text") {
      for (const row of r.buttons ?? []) {
        for (const b of row) {
          expect(Buffer.byteLength(b.data, "utf8")).toBeLessThanOrEqual(64);
          expect(b.label.trim()).not.toBe("");
        }
      }
    } else {
      expect(r.buttonLabel.trim()).not.toBe("");
    }
  }
}

/** All text of the replies, joined. */
export function allText(replies: Reply[]): string {
  return replies.map((r) => r.text).join("\n---\n");
}

/** All button data of the replies, in order. */
export function buttonData(replies: Reply[]): string[] {
  return replies.flatMap((r) => (r.kind === "text" ? (r.buttons ?? []).flat().map((b) => b.data) : []));
}

export function buttons(replies: Reply[]): { label: string; data: string }[] {
  return replies.flatMap((r) => (r.kind === "text" ? (r.buttons ?? []).flat() : []));
}

/**
 * Links a dossier for a user with the ID-digits proof: code, consent when asked (an account
 * that consented before goes straight to the proof step), then the digits.
 */
export async function linkById(user: ChatUser, code: string, digits = "1234"): Promise<Reply[]> {
  const asked = await user.text(code);
  if (buttonData(asked).includes("c:y")) await user.press("c:y");
  return user.text(digits);
}

/** Same, proving with a shared own phone number. */
export async function linkByPhone(user: ChatUser, code: string, phone: string): Promise<Reply[]> {
  const asked = await user.text(code);
  if (buttonData(asked).includes("c:y")) await user.press("c:y");
  return user.contact(phone, true);
}

/** The n-th reply (fails the test when missing). */
export function nth(replies: Reply[], n: number): Reply {
  const r = replies[n];
  if (!r) throw new Error(`expected at least ${n + 1} replies, got ${replies.length}: ${allText(replies)}`);
  return r;
}

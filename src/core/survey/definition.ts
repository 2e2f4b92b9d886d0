// A survey is data: questions, choices and every text the citizen sees, in Vietnamese and
// English. Admins publish new versions (POST /api/v1/surveys); an answer keeps the version
// it was given under, so an index over a period knows when the questions changed.
import { z } from "zod";

export const LEVELS = ["very_satisfied", "satisfied", "not_satisfied"] as const;
export type Level = (typeof LEVELS)[number];

/** FeedbackResponse columns a question can fill (the rest stays in `answers` only). */
export const COLUMNS = ["overall", "visits", "onTime", "staffAttitude", "reasons", "comment"] as const;
export type Column = (typeof COLUMNS)[number];

/** Placeholders a text may use; filled in when the message is rendered. */
export const PLACEHOLDERS = ["code", "procedure", "editableUntil", "n", "total"] as const;

const placeholderCheck = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].every((m) => (PLACEHOLDERS as readonly string[]).includes(m[1]!));
const localText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(placeholderCheck, { message: `only these placeholders: ${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}` });

export const localizedSchema = (max = 500) => z.strictObject({ vi: localText(max), en: localText(max) });
export type Localized = { vi: string; en: string };

const ident = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, "lower-case letters, digits and _ (max 32), starting with a letter");
const choiceValue = z.string().regex(/^[a-z0-9_]{1,32}$/, "lower-case letters, digits and _ (max 32)");

export const choiceSchema = z.strictObject({
  value: choiceValue,
  /** Button labels are short on every platform. */
  label: localizedSchema(40),
});

export const questionSchema = z.strictObject({
  id: ident,
  /** single: one button press; multi: chips toggled then "done"; text: free text (or skip). */
  kind: z.enum(["single", "multi", "text"]),
  /** The FeedbackResponse column this question fills, if any. */
  column: z.enum(COLUMNS).optional(),
  text: localizedSchema(1000),
  choices: z.array(choiceSchema).min(2).max(12).optional(),
  required: z.boolean().default(false),
  /** Asked only when an earlier single-choice question got one of these values. */
  showIf: z.strictObject({ question: ident, anyOf: z.array(choiceValue).min(1) }).optional(),
});
export type Question = z.infer<typeof questionSchema>;

export const surveyMessagesSchema = z.strictObject({
  /** Before the first question of an invitation. */
  intro: localizedSchema(),
  /** Before the first question of the (single) reminder. */
  reminder: localizedSchema(),
  /** Before the first question when the citizen opens an answered survey again. */
  editIntro: localizedSchema(),
  thanks: localizedSchema(),
  locked: localizedSchema(),
  expired: localizedSchema(),
  notReturned: localizedSchema(),
  notLinked: localizedSchema(),
  invalid: localizedSchema(),
  chooseOne: localizedSchema(),
  skip: localizedSchema(40),
  done: localizedSchema(40),
  rate: localizedSchema(40),
});

export const surveyDefinitionSchema = z
  .strictObject({
    title: localizedSchema(200),
    messages: surveyMessagesSchema,
    questions: z.array(questionSchema).min(1).max(12),
  })
  .superRefine((def, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const seen = new Map<string, Question>();
    const columns = new Set<string>();
    def.questions.forEach((q, i) => {
      const at = ["questions", i];
      if (seen.has(q.id)) issue([...at, "id"], `duplicate question id "${q.id}"`);
      if (q.kind === "text" && q.choices) issue([...at, "choices"], "a text question has no choices");
      if (q.kind !== "text" && !q.choices) issue([...at, "choices"], "a choice question needs choices");
      const values = (q.choices ?? []).map((c) => c.value);
      if (new Set(values).size !== values.length) issue([...at, "choices"], "duplicate choice value");
      if (q.column) {
        if (columns.has(q.column)) issue([...at, "column"], `two questions fill ${q.column}`);
        columns.add(q.column);
        const need = COLUMN_RULES[q.column];
        if (!need.kinds.includes(q.kind)) issue([...at, "kind"], `${q.column} needs a ${need.kinds.join(" or ")} question`);
        if (need.values && (values.length !== need.values.length || !need.values.every((v) => values.includes(v))))
          issue([...at, "choices"], `${q.column} choices must be exactly: ${need.values.join(", ")}`);
        if (need.integer && !values.every((v) => /^[1-9]\d?$/.test(v))) issue([...at, "choices"], `${q.column} choice values must be whole numbers 1–99`);
      }
      if (q.showIf) {
        const ref = seen.get(q.showIf.question);
        if (!ref) issue([...at, "showIf"], `showIf must name an earlier question ("${q.showIf.question}" is not before this one)`);
        else if (ref.kind !== "single") issue([...at, "showIf"], "showIf must name a single-choice question");
        else if (!q.showIf.anyOf.every((v) => ref.choices?.some((c) => c.value === v))) issue([...at, "showIf", "anyOf"], `not a choice of "${ref.id}"`);
      }
      seen.set(q.id, q);
    });
    const first = def.questions[0];
    // The overall rating is what the index counts: it comes first, so a citizen who stops
    // after one press has still been counted.
    if (!first || first.column !== "overall") issue(["questions", 0], "the first question must fill the overall rating (column: overall)");
    else if (first.showIf) issue(["questions", 0, "showIf"], "the overall question is always asked");
  });
export type SurveyDefinition = z.infer<typeof surveyDefinitionSchema>;
export type SurveyDefinitionInput = z.input<typeof surveyDefinitionSchema>;

const COLUMN_RULES: Record<Column, { kinds: Question["kind"][]; values?: readonly string[]; integer?: boolean }> = {
  overall: { kinds: ["single"], values: LEVELS },
  visits: { kinds: ["single"], integer: true },
  onTime: { kinds: ["single"], values: ["yes", "no"] },
  staffAttitude: { kinds: ["single"] },
  reasons: { kinds: ["multi", "single"] },
  comment: { kinds: ["text"] },
};

const L = (vi: string, en: string): Localized => ({ vi, en });

/** Survey v1, seeded on first use: the national three-level scale plus what the city asked for. */
export const DEFAULT_SURVEY: SurveyDefinitionInput = {
  title: L("Đánh giá mức độ hài lòng", "Satisfaction survey"),
  messages: {
    intro: L(
      "Hồ sơ {code} ({procedure}) đã được trả kết quả. Xin Ông/Bà dành một phút đánh giá việc giải quyết hồ sơ — mỗi câu chỉ cần bấm một nút.",
      "Your dossier {code} ({procedure}) has been returned. Please take a minute to rate how it was handled — one tap per question.",
    ),
    reminder: L(
      "Nhắc lại: Ông/Bà chưa đánh giá hồ sơ {code}. Ý kiến của Ông/Bà giúp cơ quan phục vụ tốt hơn.",
      "Reminder: you have not rated dossier {code} yet. Your opinion helps us serve you better.",
    ),
    editIntro: L(
      "Ông/Bà đã đánh giá hồ sơ {code}. Có thể chọn lại để sửa đến {editableUntil}.",
      "You have already rated dossier {code}. You can change your answers until {editableUntil}.",
    ),
    thanks: L(
      "Cảm ơn Ông/Bà đã đánh giá hồ sơ {code}. Ông/Bà có thể sửa câu trả lời đến {editableUntil}.",
      "Thank you for rating dossier {code}. You can change your answers until {editableUntil}.",
    ),
    locked: L(
      "Đánh giá hồ sơ {code} đã được ghi nhận và không thể sửa sau {editableUntil}.",
      "Your rating of dossier {code} has been recorded and can no longer be changed after {editableUntil}.",
    ),
    expired: L("Phiếu đánh giá hồ sơ {code} đã hết hạn.", "The survey for dossier {code} has expired."),
    notReturned: L("Hồ sơ {code} chưa trả kết quả nên chưa thể đánh giá.", "Dossier {code} has not been returned yet, so it cannot be rated."),
    notLinked: L("Ông/Bà chỉ có thể đánh giá hồ sơ đã liên kết với tài khoản này.", "You can only rate dossiers linked to this account."),
    invalid: L("Nút này không còn dùng được.", "This button can no longer be used."),
    chooseOne: L("Xin chọn ít nhất một lý do rồi bấm «Xong».", "Please choose at least one reason, then tap “Done”."),
    skip: L("Bỏ qua", "Skip"),
    done: L("Xong", "Done"),
    rate: L("⭐ Đánh giá", "⭐ Rate"),
  },
  questions: [
    {
      id: "overall",
      kind: "single",
      column: "overall",
      required: true,
      text: L(
        "Câu {n}/{total}. Ông/Bà có hài lòng với việc giải quyết hồ sơ không?",
        "Question {n}/{total}. How satisfied are you with how your dossier was handled?",
      ),
      choices: [
        { value: "very_satisfied", label: L("Rất hài lòng", "Very satisfied") },
        { value: "satisfied", label: L("Hài lòng", "Satisfied") },
        { value: "not_satisfied", label: L("Không hài lòng", "Not satisfied") },
      ],
    },
    {
      id: "reasons",
      kind: "multi",
      column: "reasons",
      required: true,
      showIf: { question: "overall", anyOf: ["not_satisfied"] },
      text: L(
        "Câu {n}/{total}. Vì sao Ông/Bà không hài lòng? Chọn một hoặc nhiều lý do rồi bấm «Xong».",
        "Question {n}/{total}. Why are you not satisfied? Choose one or more reasons, then tap “Done”.",
      ),
      choices: [
        { value: "overdue", label: L("Quá hạn", "Late") },
        { value: "many_visits", label: L("Phải đi lại nhiều lần", "Too many visits") },
        { value: "staff_attitude", label: L("Thái độ cán bộ", "Staff attitude") },
        { value: "unclear_guidance", label: L("Hướng dẫn không rõ", "Unclear guidance") },
        { value: "extra_fees", label: L("Thu phí ngoài quy định", "Unlawful fees") },
        { value: "other", label: L("Khác", "Other") },
      ],
    },
    {
      id: "comment",
      kind: "text",
      column: "comment",
      showIf: { question: "overall", anyOf: ["not_satisfied"] },
      text: L(
        "Câu {n}/{total}. Ông/Bà có thể nhắn thêm góp ý (không bắt buộc), hoặc bấm «Bỏ qua».",
        "Question {n}/{total}. You may type a comment (optional), or tap “Skip”.",
      ),
    },
    {
      id: "visits",
      kind: "single",
      column: "visits",
      text: L("Câu {n}/{total}. Ông/Bà đã phải đến cơ quan mấy lần cho hồ sơ này?", "Question {n}/{total}. How many visits did this dossier take?"),
      choices: [
        { value: "1", label: L("1 lần", "Once") },
        { value: "2", label: L("2 lần", "Twice") },
        { value: "3", label: L("3 lần trở lên", "3 or more") },
      ],
    },
    {
      id: "on_time",
      kind: "single",
      column: "onTime",
      text: L("Câu {n}/{total}. Ông/Bà có nhận kết quả đúng hẹn không?", "Question {n}/{total}. Did you get the result on the promised date?"),
      choices: [
        { value: "yes", label: L("Đúng hẹn", "On time") },
        { value: "no", label: L("Trễ hẹn", "Late") },
      ],
    },
    {
      id: "staff_attitude",
      kind: "single",
      column: "staffAttitude",
      text: L("Câu {n}/{total}. Thái độ của cán bộ tiếp nhận và trả kết quả?", "Question {n}/{total}. How was the attitude of the staff?"),
      choices: [
        { value: "good", label: L("Tốt", "Good") },
        { value: "normal", label: L("Bình thường", "Normal") },
        { value: "bad", label: L("Chưa tốt", "Poor") },
      ],
    },
  ],
};

export function parseDefinition(json: unknown): SurveyDefinition {
  return surveyDefinitionSchema.parse(json);
}

/** Answers as stored in FeedbackResponse.answers: question id → value(s); null = skipped. */
export const answersSchema = z.record(z.string(), z.union([z.string(), z.array(z.string()), z.null()]));
export type Answers = z.infer<typeof answersSchema>;

export function isVisible(def: SurveyDefinition, q: Question, answers: Answers): boolean {
  if (!q.showIf) return true;
  const v = answers[q.showIf.question];
  return typeof v === "string" && q.showIf.anyOf.includes(v);
}

/** Questions shown for these answers, in order (the numbering "n/total" counts these). */
export function visibleQuestions(def: SurveyDefinition, answers: Answers): Question[] {
  return def.questions.filter((q) => isVisible(def, q, answers));
}

/** Keeps only answers to questions still visible (an overall changed away from "not satisfied" drops its reasons). */
export function pruneAnswers(def: SurveyDefinition, answers: Answers): Answers {
  const out: Answers = {};
  for (const q of def.questions) if (q.id in answers && isVisible(def, q, out)) out[q.id] = answers[q.id] ?? null;
  return out;
}

export interface ResponseColumns {
  overall: Level | null;
  visits: number | null;
  onTime: boolean | null;
  staffAttitude: string | null;
  reasons: string[];
  comment: string | null;
}

/** The typed FeedbackResponse columns for a set of answers. */
export function columnsOf(def: SurveyDefinition, answers: Answers): ResponseColumns {
  const out: ResponseColumns = { overall: null, visits: null, onTime: null, staffAttitude: null, reasons: [], comment: null };
  for (const q of def.questions) {
    const v = answers[q.id];
    if (!q.column || v === undefined || v === null) continue;
    const one = Array.isArray(v) ? v[0] : v;
    switch (q.column) {
      case "overall":
        out.overall = (LEVELS as readonly string[]).includes(one ?? "") ? (one as Level) : null;
        break;
      case "visits":
        out.visits = one ? Number(one) : null;
        break;
      case "onTime":
        out.onTime = one === "yes" ? true : one === "no" ? false : null;
        break;
      case "staffAttitude":
        out.staffAttitude = one ?? null;
        break;
      case "reasons":
        out.reasons = Array.isArray(v) ? v : [v];
        break;
      case "comment":
        out.comment = one ?? null;
        break;
    }
  }
  return out;
}

/** Label of a choice in a language (the value itself when the version does not know it). */
export function choiceLabel(def: SurveyDefinition, column: Column, value: string, lang: "vi" | "en" = "vi"): string {
  const q = def.questions.find((x) => x.column === column);
  return q?.choices?.find((c) => c.value === value)?.label[lang] ?? value;
}

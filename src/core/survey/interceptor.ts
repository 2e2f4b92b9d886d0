// The survey's part of the chat: button presses (v:…, r:…) and the free-text comment arrive
// through this ConversationInterceptor before the regular conversation sees them.
//
// One response per dossier per citizen: every answer — first time, a second attempt, an old
// button pressed again — goes to the invitation's single FeedbackResponse row (unique
// invitationId). Answers are saved one by one (the overall rating counts even if the rest is
// skipped) and can be changed until editableUntil (14 days after the first answer); after
// that the citizen gets a clear "locked" message and nothing changes.
import type { Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import type { ConversationInterceptor, InterceptorInput } from "../conversation/interceptor.ts";
import type { Reply } from "../conversation/types.ts";
import { isUniqueViolation } from "../dossiers.ts";
import { DossierStatus } from "../status.ts";
import { answersSchema, columnsOf, isVisible, pruneAnswers, type Answers, type Question, type SurveyDefinition } from "./definition.ts";
import { SURVEY_POLICY } from "./policy.ts";
import { decodeSurveyButton, fill, isSurveyData, questionReply, textReply, type Lang, type SurveyButton, type TextVars } from "./render.ts";
import { currentSurvey, surveyById } from "./versions.ts";

type Action = { kind: "choice"; index: number } | { kind: "done" } | { kind: "skip" } | { kind: "text"; text: string };

export const surveyInterceptor: ConversationInterceptor = async (i) => {
  const input = i.input;
  if (input.kind === "button") {
    if (!isSurveyData(input.data)) return null;
    const b = decodeSurveyButton(input.data);
    if (!b) return [await invalid(i.prisma, i.language)];
    if (b.kind === "rate") return startFromStatusCard(i, b.dossierId);
    return answerButton(i, b);
  }
  if (input.kind === "text") {
    // Zalo query buttons come back as the text of a message: our own encodings are presses.
    const b = decodeSurveyButton(input.text.trim());
    if (b) return b.kind === "rate" ? startFromStatusCard(i, b.dossierId) : answerButton(i, b);
    return answerText(i, input.text);
  }
  return null;
};

async function invalid(prisma: PrismaClient, lang: Lang): Promise<Reply> {
  return textReply((await currentSurvey(prisma)).definition.messages.invalid[lang]);
}

function actionOf(b: Exclude<SurveyButton, { kind: "rate" }>): Action {
  return b.kind === "vote" ? { kind: "choice", index: b.choice } : b.kind === "done" ? { kind: "done" } : { kind: "skip" };
}

async function answerButton(i: InterceptorInput, b: Exclude<SurveyButton, { kind: "rate" }>): Promise<Reply[]> {
  if (i.citizenId === null) return [await invalid(i.prisma, i.language)];
  const head = await i.prisma.surveyInvitation.findUnique({ where: { id: b.invitationId }, select: { citizenId: true, surveyVersionId: true } });
  // Someone else's invitation looks exactly like one that does not exist.
  if (!head || head.citizenId !== i.citizenId) return [await invalid(i.prisma, i.language)];
  const def = (await surveyById(i.prisma, head.surveyVersionId)).definition;
  return record(i, b.invitationId, def, b.question, actionOf(b));
}

async function answerText(i: InterceptorInput, raw: string): Promise<Reply[] | null> {
  if (i.citizenId === null) return null;
  const text = raw.trim();
  if (!text || text.startsWith("/")) return null;
  // Only right after a survey answer, on a free-text question: otherwise the text is for the conversation.
  const since = new Date(i.now.getTime() - SURVEY_POLICY.commentWindowMs);
  const candidates = await i.prisma.surveyInvitation.findMany({
    where: { citizenId: i.citizenId, state: "answering", currentQuestion: { not: null }, response: { is: { updatedAt: { gte: since }, editableUntil: { gte: i.now } } } },
    select: { id: true, surveyVersionId: true, currentQuestion: true },
    orderBy: { response: { updatedAt: "desc" } },
    take: 3,
  });
  for (const c of candidates) {
    const def = (await surveyById(i.prisma, c.surveyVersionId)).definition;
    const qIdx = def.questions.findIndex((q) => q.id === c.currentQuestion);
    if (def.questions[qIdx]?.kind === "text") return record(i, c.id, def, qIdx, { kind: "text", text: text.slice(0, SURVEY_POLICY.maxCommentLength) });
  }
  return null;
}

/** The next visible question after index `from`, or null at the end. */
function nextQuestion(def: SurveyDefinition, from: number, answers: Answers): Question | null {
  for (let k = from + 1; k < def.questions.length; k++) {
    const q = def.questions[k]!;
    if (isVisible(def, q, answers)) return q;
  }
  return null;
}

/** Applies one answer under a row lock on the invitation and says what to show next. */
async function record(i: InterceptorInput, invitationId: number, def: SurveyDefinition, qIdx: number, action: Action): Promise<Reply[]> {
  const lang = i.language;
  const m = def.messages;
  for (let attempt = 0; ; attempt++) {
    try {
      return await i.prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "SurveyInvitation" WHERE id = ${invitationId} FOR UPDATE`;
        const inv = await tx.surveyInvitation.findUniqueOrThrow({
          where: { id: invitationId },
          include: { response: true, dossier: { select: { id: true, code: true, procedure: { select: { name: true } } } } },
        });
        const vars: TextVars = { code: inv.dossier.code, procedure: inv.dossier.procedure.name, editableUntil: inv.response?.editableUntil ?? null };
        const resp = inv.response;
        if (resp && i.now > resp.editableUntil) return [textReply(fill(m.locked, lang, vars))];
        if (!resp && (inv.state === "expired" || i.now > inv.expiresAt)) return [textReply(fill(m.expired, lang, vars))];
        const q = def.questions[qIdx];
        let answers: Answers = resp ? answersSchema.catch({}).parse(resp.answers) : {};
        if (!q || !isVisible(def, q, answers)) return [textReply(m.invalid[lang])];

        let advance = false;
        let hint: string | undefined;
        switch (action.kind) {
          case "choice": {
            const c = q.choices?.[action.index];
            if (!c) return [textReply(m.invalid[lang])];
            if (q.kind === "single") {
              answers = { ...answers, [q.id]: c.value };
              advance = true;
            } else {
              const cur = answers[q.id];
              const set = new Set(Array.isArray(cur) ? cur : []);
              if (set.has(c.value)) set.delete(c.value);
              else set.add(c.value);
              // Keep the definition's order, whatever order the chips were pressed in.
              answers = { ...answers, [q.id]: (q.choices ?? []).map((x) => x.value).filter((v) => set.has(v)) };
            }
            break;
          }
          case "done": {
            const cur = answers[q.id];
            if (q.kind !== "multi") return [textReply(m.invalid[lang])];
            if (q.required && !(Array.isArray(cur) && cur.length)) hint = m.chooseOne[lang];
            else advance = true;
            break;
          }
          case "skip":
            if (q.required) hint = q.kind === "multi" ? m.chooseOne[lang] : undefined;
            else {
              answers = { ...answers, [q.id]: null };
              advance = true;
            }
            break;
          case "text":
            if (q.kind !== "text") return [textReply(m.invalid[lang])];
            answers = { ...answers, [q.id]: action.text };
            advance = true;
            break;
        }
        answers = pruneAnswers(def, answers);
        const cols = columnsOf(def, answers);
        const json = answers as Prisma.InputJsonObject;
        let editableUntil = resp?.editableUntil ?? null;
        if (resp) {
          await tx.feedbackResponse.update({ where: { id: resp.id }, data: { ...cols, answers: json } });
        } else if (Object.values(answers).some((v) => v !== null)) {
          editableUntil = new Date(i.now.getTime() + SURVEY_POLICY.editableMs);
          await tx.feedbackResponse.create({
            data: {
              invitationId: inv.id,
              dossierId: inv.dossierId,
              citizenId: inv.citizenId,
              channel: i.channel,
              surveyVersionId: inv.surveyVersionId,
              ...cols,
              answers: json,
              firstAnsweredAt: i.now,
              editableUntil,
            },
          });
        }
        vars.editableUntil = editableUntil;
        const next = advance ? nextQuestion(def, qIdx, answers) : q;
        if (!next) {
          await tx.surveyInvitation.update({ where: { id: inv.id }, data: { state: "completed", currentQuestion: null, reminderDueAt: null } });
          return [textReply(fill(m.thanks, lang, vars))];
        }
        await tx.surveyInvitation.update({
          where: { id: inv.id },
          data: { state: editableUntil ? "answering" : inv.state === "pending" ? "sent" : inv.state, currentQuestion: next.id, reminderDueAt: editableUntil ? null : inv.reminderDueAt },
        });
        return [questionReply(def, inv.id, next, answers, lang, vars, hint)];
      });
    } catch (err) {
      // Two first answers racing on the unique invitationId: the second one retries as an edit.
      if (attempt === 0 && isUniqueViolation(err)) continue;
      throw err;
    }
  }
}

/** "⭐ Đánh giá" on the status card: only for a returned dossier the citizen has linked. */
async function startFromStatusCard(i: InterceptorInput, dossierId: number): Promise<Reply[]> {
  const lang = i.language;
  const current = await currentSurvey(i.prisma);
  const cm = current.definition.messages;
  if (i.citizenId === null) return [textReply(cm.notLinked[lang])];
  const link = await i.prisma.dossierLink.findUnique({
    where: { citizenId_dossierId: { citizenId: i.citizenId, dossierId } },
    select: { dossier: { select: { id: true, code: true, status: true, procedure: { select: { name: true } } } } },
  });
  if (!link) return [textReply(cm.notLinked[lang])];
  const d = link.dossier;
  const vars: TextVars = { code: d.code, procedure: d.procedure.name };
  if (d.status !== DossierStatus.RETURNED) return [textReply(fill(cm.notReturned, lang, vars))];

  let inv = await i.prisma.surveyInvitation.findUnique({ where: { dossierId_citizenId: { dossierId, citizenId: i.citizenId } }, include: { response: true } });
  if (!inv) {
    try {
      // Started by the citizen: no reminder.
      inv = await i.prisma.surveyInvitation.create({
        data: {
          dossierId,
          citizenId: i.citizenId,
          surveyVersionId: current.id,
          channel: i.channel,
          state: "sent",
          invitedAt: i.now,
          expiresAt: new Date(i.now.getTime() + SURVEY_POLICY.expiresAfterMs),
          currentQuestion: current.definition.questions[0]!.id,
          outcome: "started by the citizen from the status card",
        },
        include: { response: true },
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      inv = await i.prisma.surveyInvitation.findUniqueOrThrow({ where: { dossierId_citizenId: { dossierId, citizenId: i.citizenId } }, include: { response: true } });
    }
  }
  const def = (await surveyById(i.prisma, inv.surveyVersionId)).definition;
  const m = def.messages;
  const first = def.questions[0]!;
  if (inv.response) {
    vars.editableUntil = inv.response.editableUntil;
    if (i.now > inv.response.editableUntil) return [textReply(fill(m.locked, lang, vars))];
    // A second attempt edits the one response: start again from the first question, answers marked.
    const answers = answersSchema.catch({}).parse(inv.response.answers);
    await i.prisma.surveyInvitation.update({ where: { id: inv.id }, data: { state: "answering", currentQuestion: first.id } });
    return [questionReply(def, inv.id, first, answers, lang, vars, fill(m.editIntro, lang, vars))];
  }
  if (inv.state === "expired" || i.now > inv.expiresAt) return [textReply(fill(m.expired, lang, vars))];
  await i.prisma.surveyInvitation.update({ where: { id: inv.id }, data: { currentQuestion: first.id, ...(inv.state === "pending" || inv.state === "undeliverable" ? { state: "sent" } : {}) } });
  return [questionReply(def, inv.id, first, {}, lang, vars, fill(m.intro, lang, vars))];
}


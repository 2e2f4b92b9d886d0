// When the survey asks, reminds, expires and locks. Kept in one place so the docs, the
// scheduler and the interceptor cannot disagree.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const SURVEY_POLICY = {
  /** Answers can be changed for this long after the first answer; then they are locked. */
  editableMs: 14 * DAY,
  /** One reminder this long after the invitation when nothing was answered; never a second. */
  reminderAfterMs: 24 * HOUR,
  /** An invitation nobody answered expires after this long. */
  expiresAfterMs: 30 * DAY,
  /** Free text counts as the comment only this soon after the citizen's last survey answer. */
  commentWindowMs: 30 * 60_000,
  /** Longest comment kept. */
  maxCommentLength: 1000,
} as const;

/** After the result notice (10), before announcements (100): the delivery engine sends lower first. */
export const SURVEY_PRIORITY = 20;

export const askKey = (invitationId: number) => `survey:${invitationId}:ask`;
export const reminderKey = (invitationId: number) => `survey:${invitationId}:reminder`;

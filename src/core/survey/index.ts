// Post-service survey: versioned definitions, invitations on "returned", answers through a
// conversation interceptor, reminders and expiry. Wiring: src/bot/survey-feature.ts.
export { DEFAULT_SURVEY, surveyDefinitionSchema, type SurveyDefinition } from "./definition.ts";
export { askInvitation, inviteForDossier, surveyStatusListener, type SurveyDeps } from "./invite.ts";
export { surveyInterceptor } from "./interceptor.ts";
export { SURVEY_POLICY, SURVEY_PRIORITY } from "./policy.ts";
export { decodeSurveyButton, encodeSurveyButton, rateButton } from "./render.ts";
export { runSurveySchedule, type SchedulerRun } from "./scheduler.ts";
export { currentSurvey, listSurveys, publishSurvey } from "./versions.ts";

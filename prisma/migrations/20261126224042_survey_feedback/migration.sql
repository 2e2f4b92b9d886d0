-- CreateEnum
CREATE TYPE "InvitationState" AS ENUM ('pending', 'sent', 'answering', 'completed', 'expired', 'undeliverable');

-- CreateEnum
CREATE TYPE "SatisfactionLevel" AS ENUM ('very_satisfied', 'satisfied', 'not_satisfied');

-- CreateTable
CREATE TABLE "SurveyVersion" (
    "id" SERIAL NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "publishedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedBy" TEXT NOT NULL,

    CONSTRAINT "SurveyVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyInvitation" (
    "id" SERIAL NOT NULL,
    "dossierId" INTEGER NOT NULL,
    "citizenId" INTEGER NOT NULL,
    "surveyVersionId" INTEGER NOT NULL,
    "channel" "Channel",
    "state" "InvitationState" NOT NULL DEFAULT 'pending',
    "invitedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reminderDueAt" TIMESTAMP(3),
    "remindedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "currentQuestion" TEXT,
    "outcome" TEXT,

    CONSTRAINT "SurveyInvitation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FeedbackResponse" (
    "id" SERIAL NOT NULL,
    "invitationId" INTEGER,
    "dossierId" INTEGER NOT NULL,
    "citizenId" INTEGER,
    "channel" "Channel" NOT NULL,
    "surveyVersionId" INTEGER NOT NULL,
    "overall" "SatisfactionLevel",
    "visits" INTEGER,
    "onTime" BOOLEAN,
    "staffAttitude" TEXT,
    "reasons" TEXT[],
    "comment" TEXT,
    "complaint" BOOLEAN NOT NULL DEFAULT false,
    "answers" JSONB NOT NULL,
    "firstAnsweredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "editableUntil" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FeedbackResponse_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SurveyVersion_version_key" ON "SurveyVersion"("version");

-- CreateIndex
CREATE INDEX "SurveyInvitation_state_reminderDueAt_idx" ON "SurveyInvitation"("state", "reminderDueAt");

-- CreateIndex
CREATE INDEX "SurveyInvitation_state_expiresAt_idx" ON "SurveyInvitation"("state", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyInvitation_dossierId_citizenId_key" ON "SurveyInvitation"("dossierId", "citizenId");

-- CreateIndex
CREATE UNIQUE INDEX "FeedbackResponse_invitationId_key" ON "FeedbackResponse"("invitationId");

-- CreateIndex
CREATE INDEX "FeedbackResponse_dossierId_idx" ON "FeedbackResponse"("dossierId");

-- CreateIndex
CREATE INDEX "FeedbackResponse_firstAnsweredAt_idx" ON "FeedbackResponse"("firstAnsweredAt");

-- AddForeignKey
ALTER TABLE "SurveyInvitation" ADD CONSTRAINT "SurveyInvitation_dossierId_fkey" FOREIGN KEY ("dossierId") REFERENCES "Dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyInvitation" ADD CONSTRAINT "SurveyInvitation_citizenId_fkey" FOREIGN KEY ("citizenId") REFERENCES "Citizen"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyInvitation" ADD CONSTRAINT "SurveyInvitation_surveyVersionId_fkey" FOREIGN KEY ("surveyVersionId") REFERENCES "SurveyVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeedbackResponse" ADD CONSTRAINT "FeedbackResponse_invitationId_fkey" FOREIGN KEY ("invitationId") REFERENCES "SurveyInvitation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeedbackResponse" ADD CONSTRAINT "FeedbackResponse_dossierId_fkey" FOREIGN KEY ("dossierId") REFERENCES "Dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeedbackResponse" ADD CONSTRAINT "FeedbackResponse_citizenId_fkey" FOREIGN KEY ("citizenId") REFERENCES "Citizen"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeedbackResponse" ADD CONSTRAINT "FeedbackResponse_surveyVersionId_fkey" FOREIGN KEY ("surveyVersionId") REFERENCES "SurveyVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

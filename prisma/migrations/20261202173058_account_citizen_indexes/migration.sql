-- CreateIndex
CREATE INDEX "ChannelAccount_citizenId_idx" ON "ChannelAccount"("citizenId");

-- CreateIndex
CREATE INDEX "SurveyInvitation_citizenId_state_idx" ON "SurveyInvitation"("citizenId", "state");

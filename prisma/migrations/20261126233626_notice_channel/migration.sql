-- AlterTable
ALTER TABLE "Citizen" ADD COLUMN     "noticeChannel" "Channel";

-- CreateIndex
CREATE INDEX "OutboundMessage_state_channel_priority_id_idx" ON "OutboundMessage"("state", "channel", "priority", "id");

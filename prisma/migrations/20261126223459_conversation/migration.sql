-- AlterTable
ALTER TABLE "ChannelAccount" ADD COLUMN     "consentAt" TIMESTAMP(3),
ADD COLUMN     "language" TEXT;

-- CreateTable
CREATE TABLE "Conversation" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "state" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Conversation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LinkAttempt" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "accountId" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LinkAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundUpdate" (
    "id" BIGSERIAL NOT NULL,
    "channel" "Channel" NOT NULL,
    "externalId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "InboundUpdate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_accountId_key" ON "Conversation"("accountId");

-- CreateIndex
CREATE INDEX "LinkAttempt_code_at_idx" ON "LinkAttempt"("code", "at");

-- CreateIndex
CREATE INDEX "InboundUpdate_processedAt_receivedAt_idx" ON "InboundUpdate"("processedAt", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundUpdate_channel_externalId_key" ON "InboundUpdate"("channel", "externalId");

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "ChannelAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LinkAttempt" ADD CONSTRAINT "LinkAttempt_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "ChannelAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

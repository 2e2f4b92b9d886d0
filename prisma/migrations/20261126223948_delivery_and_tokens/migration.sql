-- CreateEnum
CREATE TYPE "OutboundState" AS ENUM ('queued', 'sending', 'sent', 'failed', 'blocked', 'skipped', 'cancelled', 'undeliverable');

-- CreateEnum
CREATE TYPE "BroadcastStatus" AS ENUM ('draft', 'awaiting_approval', 'scheduled', 'sending', 'done', 'cancelled');

-- AlterTable
ALTER TABLE "ChannelAccount" ADD COLUMN     "blockedReason" TEXT,
ADD COLUMN     "optedOutAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ChannelToken" (
    "channel" "Channel" NOT NULL,
    "accessToken" TEXT NOT NULL,
    "refreshToken" TEXT NOT NULL,
    "accessExpiresAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "lastRefreshError" TEXT,
    "lastRefreshAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChannelToken_pkey" PRIMARY KEY ("channel")
);

-- CreateTable
CREATE TABLE "OutboundMessage" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "accountId" INTEGER NOT NULL,
    "channel" "Channel" NOT NULL,
    "payload" JSONB NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 100,
    "state" "OutboundState" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lockedBy" TEXT,
    "sentAt" TIMESTAMP(3),
    "error" TEXT,
    "platformMessageId" TEXT,
    "dossierId" INTEGER,
    "broadcastId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OutboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Broadcast" (
    "id" SERIAL NOT NULL,
    "createdBy" TEXT NOT NULL,
    "approvedBy" TEXT,
    "text" TEXT NOT NULL,
    "audience" JSONB NOT NULL,
    "channels" "Channel"[],
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "status" "BroadcastStatus" NOT NULL,
    "audienceCount" INTEGER NOT NULL DEFAULT 0,
    "scheduledAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Broadcast_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OutboundMessage_dedupeKey_key" ON "OutboundMessage"("dedupeKey");

-- CreateIndex
CREATE INDEX "OutboundMessage_state_notBefore_priority_idx" ON "OutboundMessage"("state", "notBefore", "priority");

-- CreateIndex
CREATE INDEX "OutboundMessage_broadcastId_state_idx" ON "OutboundMessage"("broadcastId", "state");

-- CreateIndex
CREATE INDEX "OutboundMessage_dossierId_idx" ON "OutboundMessage"("dossierId");

-- AddForeignKey
ALTER TABLE "OutboundMessage" ADD CONSTRAINT "OutboundMessage_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "ChannelAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboundMessage" ADD CONSTRAINT "OutboundMessage_broadcastId_fkey" FOREIGN KEY ("broadcastId") REFERENCES "Broadcast"("id") ON DELETE CASCADE ON UPDATE CASCADE;

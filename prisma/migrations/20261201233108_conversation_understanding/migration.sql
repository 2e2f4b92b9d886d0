-- AlterTable
ALTER TABLE "ChannelAccount" ADD COLUMN     "languageChosenAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "UnrecognisedMessage" (
    "id" SERIAL NOT NULL,
    "text" TEXT NOT NULL,
    "channel" "Channel" NOT NULL,
    "accountId" INTEGER,
    "guessed" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "band" TEXT NOT NULL,
    "language" TEXT,
    "label" TEXT,
    "labelledBy" TEXT,
    "labelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UnrecognisedMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "UnrecognisedMessage_createdAt_idx" ON "UnrecognisedMessage"("createdAt");

-- CreateIndex
CREATE INDEX "UnrecognisedMessage_labelledAt_idx" ON "UnrecognisedMessage"("labelledAt");

-- CreateIndex
CREATE INDEX "LinkAttempt_accountId_at_idx" ON "LinkAttempt"("accountId", "at");

-- AddForeignKey
ALTER TABLE "UnrecognisedMessage" ADD CONSTRAINT "UnrecognisedMessage_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "ChannelAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Languages stored before this migration were chosen by the citizen (or came from Telegram's
-- language setting): keep answering in them rather than switching with each message.
UPDATE "ChannelAccount" SET "languageChosenAt" = "createdAt" WHERE "language" IS NOT NULL;

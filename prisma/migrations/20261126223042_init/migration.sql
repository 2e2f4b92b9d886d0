-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "UnitLevel" AS ENUM ('province', 'district', 'ward', 'department');

-- CreateEnum
CREATE TYPE "ReturnMethod" AS ENUM ('counter', 'postal', 'online');

-- CreateEnum
CREATE TYPE "FeeStatus" AS ENUM ('none', 'due', 'paid');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('telegram', 'zalo');

-- CreateEnum
CREATE TYPE "OwnershipProof" AS ENUM ('phone_contact', 'id_last4', 'zalo_phone', 'staff');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('staff', 'analyst', 'admin');

-- CreateEnum
CREATE TYPE "CalendarDayKind" AS ENUM ('day_off', 'extra_working_day');

-- CreateTable
CREATE TABLE "Unit" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "level" "UnitLevel" NOT NULL DEFAULT 'ward',
    "parentId" INTEGER,
    "hotline" TEXT,
    "address" TEXT,
    "openingHours" TEXT,
    "demo" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Field" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "demo" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Field_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Procedure" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "fieldId" INTEGER,
    "durationDays" INTEGER,
    "demo" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Procedure_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dossier" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "unitId" INTEGER NOT NULL,
    "procedureId" INTEGER NOT NULL,
    "applicantName" TEXT NOT NULL,
    "applicantPhone" TEXT,
    "applicantIdHash" TEXT,
    "applicantIdLast4Hash" TEXT,
    "applicantIdMasked" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "appointmentAt" TIMESTAMP(3) NOT NULL,
    "appointmentComputed" BOOLEAN NOT NULL DEFAULT false,
    "originalAppointmentAt" TIMESTAMP(3),
    "status" INTEGER NOT NULL,
    "statusAt" TIMESTAMP(3) NOT NULL,
    "currentStep" TEXT,
    "returnMethod" "ReturnMethod" NOT NULL DEFAULT 'counter',
    "postalDelivered" BOOLEAN,
    "feeStatus" "FeeStatus" NOT NULL DEFAULT 'none',
    "feeAmount" INTEGER,
    "supplementCount" INTEGER NOT NULL DEFAULT 0,
    "supplementReason" TEXT,
    "supplementRequestedAt" TIMESTAMP(3),
    "stopReason" TEXT,
    "finishedAt" TIMESTAMP(3),
    "returnedAt" TIMESTAMP(3),
    "demo" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Dossier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DossierStatusEvent" (
    "id" SERIAL NOT NULL,
    "dossierId" INTEGER NOT NULL,
    "eventId" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "note" TEXT,
    "reason" TEXT,
    "source" TEXT NOT NULL DEFAULT 'api',
    "applied" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DossierStatusEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Citizen" (
    "id" SERIAL NOT NULL,
    "phone" TEXT,
    "language" TEXT NOT NULL DEFAULT 'vi',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Citizen_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChannelAccount" (
    "id" SERIAL NOT NULL,
    "channel" "Channel" NOT NULL,
    "platformUserId" TEXT NOT NULL,
    "citizenId" INTEGER,
    "displayName" TEXT,
    "blockedAt" TIMESTAMP(3),
    "lastInboundAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChannelAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DossierLink" (
    "id" SERIAL NOT NULL,
    "citizenId" INTEGER NOT NULL,
    "dossierId" INTEGER NOT NULL,
    "verifiedBy" "OwnershipProof" NOT NULL,
    "consentAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DossierLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "details" JSONB,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CalendarDay" (
    "date" TEXT NOT NULL,
    "kind" "CalendarDayKind" NOT NULL,
    "name" TEXT,
    "source" TEXT,

    CONSTRAINT "CalendarDay_pkey" PRIMARY KEY ("date")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Unit_code_key" ON "Unit"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Field_code_key" ON "Field"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Procedure_code_key" ON "Procedure"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Dossier_code_key" ON "Dossier"("code");

-- CreateIndex
CREATE INDEX "Dossier_unitId_receivedAt_idx" ON "Dossier"("unitId", "receivedAt");

-- CreateIndex
CREATE INDEX "Dossier_procedureId_idx" ON "Dossier"("procedureId");

-- CreateIndex
CREATE INDEX "Dossier_status_idx" ON "Dossier"("status");

-- CreateIndex
CREATE INDEX "Dossier_applicantPhone_idx" ON "Dossier"("applicantPhone");

-- CreateIndex
CREATE INDEX "DossierStatusEvent_dossierId_at_idx" ON "DossierStatusEvent"("dossierId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "DossierStatusEvent_dossierId_eventId_key" ON "DossierStatusEvent"("dossierId", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "Citizen_phone_key" ON "Citizen"("phone");

-- CreateIndex
CREATE UNIQUE INDEX "ChannelAccount_channel_platformUserId_key" ON "ChannelAccount"("channel", "platformUserId");

-- CreateIndex
CREATE UNIQUE INDEX "DossierLink_citizenId_dossierId_key" ON "DossierLink"("citizenId", "dossierId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- CreateIndex
CREATE INDEX "AuditLog_action_at_idx" ON "AuditLog"("action", "at");

-- AddForeignKey
ALTER TABLE "Unit" ADD CONSTRAINT "Unit_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Procedure" ADD CONSTRAINT "Procedure_fieldId_fkey" FOREIGN KEY ("fieldId") REFERENCES "Field"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dossier" ADD CONSTRAINT "Dossier_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dossier" ADD CONSTRAINT "Dossier_procedureId_fkey" FOREIGN KEY ("procedureId") REFERENCES "Procedure"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DossierStatusEvent" ADD CONSTRAINT "DossierStatusEvent_dossierId_fkey" FOREIGN KEY ("dossierId") REFERENCES "Dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChannelAccount" ADD CONSTRAINT "ChannelAccount_citizenId_fkey" FOREIGN KEY ("citizenId") REFERENCES "Citizen"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DossierLink" ADD CONSTRAINT "DossierLink_citizenId_fkey" FOREIGN KEY ("citizenId") REFERENCES "Citizen"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DossierLink" ADD CONSTRAINT "DossierLink_dossierId_fkey" FOREIGN KEY ("dossierId") REFERENCES "Dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterEnum
ALTER TYPE "OwnershipProof" ADD VALUE 'receipt_slip';

-- AlterTable
ALTER TABLE "Dossier" ADD COLUMN     "slipCode" TEXT;

-- CreateTable
CREATE TABLE "OpenDataFile" (
    "name" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "etag" TEXT NOT NULL,
    "generatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OpenDataFile_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "Dossier_slipCode_key" ON "Dossier"("slipCode");

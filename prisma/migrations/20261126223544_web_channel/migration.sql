-- AlterEnum
ALTER TYPE "Channel" ADD VALUE 'web';

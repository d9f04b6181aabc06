-- AlterTable
ALTER TABLE "Community" ADD COLUMN     "boardKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Community_boardKey_key" ON "Community"("boardKey");

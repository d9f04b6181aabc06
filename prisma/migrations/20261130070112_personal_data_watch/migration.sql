-- AlterTable
ALTER TABLE "Household" ADD COLUMN     "erasedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "JoinAttempt" (
    "id" TEXT NOT NULL,
    "communityId" TEXT NOT NULL,
    "accountHash" TEXT NOT NULL,
    "householdId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "JoinAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WatchAlert" (
    "key" TEXT NOT NULL,
    "communityId" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "number" INTEGER,
    "count" INTEGER NOT NULL,
    "threshold" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WatchAlert_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "JoinAttempt_communityId_accountHash_at_idx" ON "JoinAttempt"("communityId", "accountHash", "at");

-- CreateIndex
CREATE INDEX "JoinAttempt_at_idx" ON "JoinAttempt"("at");

-- CreateIndex
CREATE INDEX "WatchAlert_at_idx" ON "WatchAlert"("at");

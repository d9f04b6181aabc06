-- CreateTable
CREATE TABLE "HotTopicChat" (
    "platform" "Platform" NOT NULL,
    "chatId" TEXT NOT NULL,
    "communityId" TEXT NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HotTopicChat_pkey" PRIMARY KEY ("platform","chatId")
);

-- CreateTable
CREATE TABLE "HotTopicTerm" (
    "id" SERIAL NOT NULL,
    "communityId" TEXT NOT NULL,
    "term" TEXT NOT NULL,

    CONSTRAINT "HotTopicTerm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HotTopicDay" (
    "termId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "messages" INTEGER NOT NULL,
    "senders" INTEGER NOT NULL,
    "senders7" INTEGER NOT NULL,

    CONSTRAINT "HotTopicDay_pkey" PRIMARY KEY ("termId","day")
);

-- CreateTable
CREATE TABLE "HotTopicVolume" (
    "communityId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "messages" INTEGER NOT NULL,

    CONSTRAINT "HotTopicVolume_pkey" PRIMARY KEY ("communityId","day")
);

-- CreateIndex
CREATE INDEX "HotTopicChat_communityId_idx" ON "HotTopicChat"("communityId");

-- CreateIndex
CREATE UNIQUE INDEX "HotTopicTerm_communityId_term_key" ON "HotTopicTerm"("communityId", "term");

-- CreateIndex
CREATE INDEX "HotTopicDay_day_idx" ON "HotTopicDay"("day");

-- AddForeignKey
ALTER TABLE "HotTopicDay" ADD CONSTRAINT "HotTopicDay_termId_fkey" FOREIGN KEY ("termId") REFERENCES "HotTopicTerm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

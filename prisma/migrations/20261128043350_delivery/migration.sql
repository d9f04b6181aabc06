-- CreateTable
CREATE TABLE "Outbox" (
    "id" TEXT NOT NULL,
    "communityId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "announcement" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "relayedAt" TIMESTAMP(3),

    CONSTRAINT "Outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CardMessage" (
    "platform" "Platform" NOT NULL,
    "chatId" TEXT NOT NULL,
    "communityId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CardMessage_pkey" PRIMARY KEY ("platform","chatId","communityId","number","kind")
);

-- CreateTable
CREATE TABLE "NoticeSent" (
    "key" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NoticeSent_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "DeliveryProblem" (
    "platform" "Platform" NOT NULL,
    "chatId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeliveryProblem_pkey" PRIMARY KEY ("platform","chatId")
);

-- CreateIndex
CREATE INDEX "Outbox_relayedAt_createdAt_idx" ON "Outbox"("relayedAt", "createdAt");

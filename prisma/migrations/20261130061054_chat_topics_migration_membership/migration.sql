-- AlterTable
ALTER TABLE "ChatBinding" ADD COLUMN     "threadId" TEXT;

-- AlterTable
ALTER TABLE "Outbox" ADD COLUMN     "chatId" TEXT,
ADD COLUMN     "chatPlatform" "Platform";

-- CreateTable
CREATE TABLE "ChatMigration" (
    "platform" "Platform" NOT NULL,
    "fromChatId" TEXT NOT NULL,
    "toChatId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatMigration_pkey" PRIMARY KEY ("platform","fromChatId")
);

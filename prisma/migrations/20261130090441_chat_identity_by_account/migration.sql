-- CreateIndex
CREATE INDEX "ChatIdentity_platform_userId_idx" ON "ChatIdentity"("platform", "userId");

-- CreateIndex
CREATE INDEX "Proposal_state_votingClosesAt_idx" ON "Proposal"("state", "votingClosesAt");

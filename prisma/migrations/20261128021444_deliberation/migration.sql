-- CreateEnum
CREATE TYPE "ProposalState" AS ENUM ('collecting', 'agenda', 'noticed', 'voting', 'passed', 'rejected', 'no_quorum', 'expired', 'withdrawn');

-- CreateEnum
CREATE TYPE "BallotChoice" AS ENUM ('for', 'against', 'abstain');

-- CreateEnum
CREATE TYPE "BallotChannel" AS ENUM ('chat', 'relay');

-- CreateEnum
CREATE TYPE "ResolutionState" AS ENUM ('assigned', 'in_progress', 'done', 'evaluated');

-- CreateTable
CREATE TABLE "Proposal" (
    "id" TEXT NOT NULL,
    "communityId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "state" "ProposalState" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "cosignDeadline" TIMESTAMP(3) NOT NULL,
    "cosignThreshold" INTEGER NOT NULL,
    "cosignCount" INTEGER NOT NULL DEFAULT 0,
    "agendaAt" TIMESTAMP(3),
    "votingOpensAt" TIMESTAMP(3),
    "votingClosesAt" TIMESTAMP(3),
    "eligibleCount" INTEGER,
    "closedAt" TIMESTAMP(3),
    "tallyFor" INTEGER,
    "tallyAgainst" INTEGER,
    "tallyAbstain" INTEGER,
    "withdrawnAt" TIMESTAMP(3),
    "followUpOf" TEXT,

    CONSTRAINT "Proposal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Cosign" (
    "proposalId" TEXT NOT NULL,
    "voterKey" TEXT NOT NULL,
    "residentId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Cosign_pkey" PRIMARY KEY ("proposalId","voterKey")
);

-- CreateTable
CREATE TABLE "Eligibility" (
    "proposalId" TEXT NOT NULL,
    "voterKey" TEXT NOT NULL,
    "householdId" TEXT NOT NULL,
    "buildingId" TEXT NOT NULL,

    CONSTRAINT "Eligibility_pkey" PRIMARY KEY ("proposalId","voterKey")
);

-- CreateTable
CREATE TABLE "Ballot" (
    "proposalId" TEXT NOT NULL,
    "voterKey" TEXT NOT NULL,
    "choice" "BallotChoice" NOT NULL,
    "channel" "BallotChannel" NOT NULL,
    "castBy" TEXT NOT NULL,
    "paperRef" TEXT,
    "castAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Ballot_pkey" PRIMARY KEY ("proposalId","voterKey")
);

-- CreateTable
CREATE TABLE "BallotHistory" (
    "id" TEXT NOT NULL,
    "proposalId" TEXT NOT NULL,
    "voterKey" TEXT NOT NULL,
    "choice" "BallotChoice" NOT NULL,
    "channel" "BallotChannel" NOT NULL,
    "castBy" TEXT NOT NULL,
    "paperRef" TEXT,
    "castAt" TIMESTAMP(3) NOT NULL,
    "supersededAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BallotHistory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Resolution" (
    "id" TEXT NOT NULL,
    "proposalId" TEXT NOT NULL,
    "communityId" TEXT NOT NULL,
    "leadUnitId" TEXT NOT NULL,
    "coopUnits" TEXT[],
    "dueAt" TIMESTAMP(3) NOT NULL,
    "milestones" JSONB NOT NULL DEFAULT '[]',
    "state" "ResolutionState" NOT NULL,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "latestNote" TEXT,
    "escalationLevel" INTEGER NOT NULL DEFAULT 0,
    "assignedAt" TIMESTAMP(3) NOT NULL,
    "doneAt" TIMESTAMP(3),
    "surveyClosesAt" TIMESTAMP(3),
    "evaluatedAt" TIMESTAMP(3),
    "satisfiedCount" INTEGER,
    "answeredCount" INTEGER,
    "flagged" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Resolution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProgressReport" (
    "id" TEXT NOT NULL,
    "resolutionId" TEXT NOT NULL,
    "reporterId" TEXT NOT NULL,
    "percent" INTEGER NOT NULL,
    "note" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProgressReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyAnswer" (
    "resolutionId" TEXT NOT NULL,
    "voterKey" TEXT NOT NULL,
    "residentId" TEXT NOT NULL,
    "satisfied" BOOLEAN NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SurveyAnswer_pkey" PRIMARY KEY ("resolutionId","voterKey")
);

-- CreateTable
CREATE TABLE "PointsEntry" (
    "id" TEXT NOT NULL,
    "communityId" TEXT NOT NULL,
    "residentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "subject" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PointsEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "key" TEXT NOT NULL,
    "outcome" JSONB,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ChatPreference" (
    "platform" "Platform" NOT NULL,
    "chatId" TEXT NOT NULL,
    "locale" TEXT NOT NULL,

    CONSTRAINT "ChatPreference_pkey" PRIMARY KEY ("platform","chatId")
);

-- CreateIndex
CREATE INDEX "Proposal_communityId_state_idx" ON "Proposal"("communityId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "Proposal_communityId_number_key" ON "Proposal"("communityId", "number");

-- CreateIndex
CREATE INDEX "BallotHistory_proposalId_voterKey_idx" ON "BallotHistory"("proposalId", "voterKey");

-- CreateIndex
CREATE UNIQUE INDEX "Resolution_proposalId_key" ON "Resolution"("proposalId");

-- CreateIndex
CREATE INDEX "Resolution_communityId_state_idx" ON "Resolution"("communityId", "state");

-- CreateIndex
CREATE INDEX "ProgressReport_resolutionId_at_idx" ON "ProgressReport"("resolutionId", "at");

-- CreateIndex
CREATE INDEX "PointsEntry_residentId_at_idx" ON "PointsEntry"("residentId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "PointsEntry_residentId_kind_subject_key" ON "PointsEntry"("residentId", "kind", "subject");

-- CreateIndex
CREATE INDEX "IdempotencyRecord_at_idx" ON "IdempotencyRecord"("at");

-- AddForeignKey
ALTER TABLE "Cosign" ADD CONSTRAINT "Cosign_proposalId_fkey" FOREIGN KEY ("proposalId") REFERENCES "Proposal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Eligibility" ADD CONSTRAINT "Eligibility_proposalId_fkey" FOREIGN KEY ("proposalId") REFERENCES "Proposal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Ballot" ADD CONSTRAINT "Ballot_proposalId_fkey" FOREIGN KEY ("proposalId") REFERENCES "Proposal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Resolution" ADD CONSTRAINT "Resolution_proposalId_fkey" FOREIGN KEY ("proposalId") REFERENCES "Proposal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProgressReport" ADD CONSTRAINT "ProgressReport_resolutionId_fkey" FOREIGN KEY ("resolutionId") REFERENCES "Resolution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyAnswer" ADD CONSTRAINT "SurveyAnswer_resolutionId_fkey" FOREIGN KEY ("resolutionId") REFERENCES "Resolution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

import type { RosterDeps } from '../app/deps.ts';
import type { Database } from '../store/database.ts';
import {
  prismaChatBindingStore,
  prismaCommunityStore,
  prismaJoinCodeStore,
  prismaRosterStore,
} from '../store/roster-store.ts';
import { cryptoRandom, systemClock, uuidSource } from './system.ts';

export function rosterDeps(db: Database, overrides: Partial<RosterDeps> = {}): RosterDeps {
  return {
    clock: systemClock,
    ids: uuidSource,
    random: cryptoRandom,
    communities: prismaCommunityStore(db.prisma),
    roster: prismaRosterStore(db.prisma),
    joinCodes: prismaJoinCodeStore(db.prisma),
    chatBindings: prismaChatBindingStore(db.prisma),
    ...overrides,
  };
}

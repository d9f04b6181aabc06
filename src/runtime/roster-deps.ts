import type { RosterDeps } from '../app/deps.ts';
import type { Database } from '../store/database.ts';
import {
  chatBindingStore,
  communityStore,
  joinCodeStore,
  rosterStore,
} from '../store/roster-store.ts';
import { cryptoRandom, systemClock, uuidSource } from './system.ts';

export function rosterDeps(db: Database, overrides: Partial<RosterDeps> = {}): RosterDeps {
  return {
    clock: systemClock,
    ids: uuidSource,
    random: cryptoRandom,
    communities: communityStore(db),
    roster: rosterStore(db),
    joinCodes: joinCodeStore(db),
    chatBindings: chatBindingStore(db),
    ...overrides,
  };
}

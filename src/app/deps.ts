import type { Clock, IdSource, RandomSource } from './ports/clock.ts';
import type {
  ChatBindingStore,
  CommunityStore,
  JoinCodeStore,
  RosterStore,
} from './ports/store.ts';

/** What the roster-side use cases need; the composition root builds it. */
export type RosterDeps = {
  clock: Clock;
  ids: IdSource;
  random: RandomSource;
  communities: CommunityStore;
  roster: RosterStore;
  joinCodes: JoinCodeStore;
  chatBindings: ChatBindingStore;
};

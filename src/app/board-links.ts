/**
 * The public page of an item, linked under its card in the chats (issue 14).
 * PUBLIC_URL comes from the config through the composition root; the key is
 * the community's stored board key, or with board "public" its id. No link
 * when the board is off, or when it is "link" and no key was made yet
 * (`yishi board link` makes it; a card never writes one).
 */
import { communityPolicy } from './core.ts';
import type { CommunityRecord } from './ports/store.ts';

export type BoardKeys = {
  /** The community's stored board key, null until `yishi board link` made one. */
  boardKey(communityId: string): Promise<string | null>;
};

export type BoardLinks = {
  /** Where the server is reached from outside (PUBLIC_URL). */
  publicUrl: string;
  keys: BoardKeys;
};

/** `PUBLIC_URL/board/KEY/N`, or null when the item has no public page to link to. */
export async function itemPageUrl(
  links: BoardLinks | undefined,
  community: CommunityRecord,
  number: number,
): Promise<string | null> {
  if (!links) return null;
  const access = communityPolicy(community).board;
  if (access === 'off') return null;
  // The stored key first: it keeps working if the committee later goes from "public" to "link".
  const key =
    (await links.keys.boardKey(community.id)) ?? (access === 'public' ? community.id : null);
  if (key === null) return null;
  return `${links.publicUrl.replace(/\/+$/, '')}/board/${encodeURIComponent(key)}/${number}`;
}

/**
 * A chat's context, apart from the chat store's port (chat.ts) so that the
 * ballot batch's port (store.ts), whose claim reads it too, can name it.
 */
import type { Locale } from '../../i18n/translate.ts';

/** A chat as the adapter sees it before acting. */
export type ChatContext = {
  /** The community the chat is bound to (a group or channel), with its locale choice. */
  binding: {
    communityId: string;
    buildingId: string | null;
    /** Chosen with /lang in this chat; null: the community's. */
    locale: Locale | null;
    communityLocale: Locale;
    /** IANA time zone of the community, for dates in replies. */
    timezone: string;
  } | null;
  /** /lang choice of a chat that is not bound (a private chat). */
  preference: Locale | null;
  /**
   * The communities the sender's chat account is linked in; only filled for
   * private chats (`withIdentities`), where no binding names the community.
   */
  communities: { communityId: string; name: string; locale: Locale; timezone: string }[];
};

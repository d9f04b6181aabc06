/**
 * `/yishi propose` without a title opens a form (title, details, category)
 * instead of a usage line. Its submission is parsed with zod and checked
 * against the same limits the use case applies, and a problem is shown
 * under its field (`response_action: errors`) while the form stays open;
 * the use case still decides everything else (the community's categories,
 * who may propose) and its answer arrives privately in the channel.
 */
import { z } from 'zod';
import { BODY_MAX, TITLE_MAX } from '../../src/app/propose.ts';
import { MANDATORY_CATEGORIES, OTHER_CATEGORY } from '../../src/domain/categories.ts';
import { t } from '../../src/i18n/translate.ts';

export const PROPOSE_CALLBACK_ID = 'yishi-propose-v1';

const BLOCK = { title: 'title', body: 'body', category: 'category' } as const;

/** Where the form was opened: the proposal's answer goes back there. */
const OriginSchema = z.object({
  channelId: z.string().min(1),
  threadTs: z.string().optional(),
  /** The form's language, so its field errors match it. */
  locale: z.enum(['zh-CN', 'en']),
});
export type ProposeOrigin = z.infer<typeof OriginSchema>;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: false });

export function proposeModal(origin: ProposeOrigin) {
  const { locale } = origin;
  const category = locale === 'en' ? 'en' : 'zh-CN';
  const options = [...MANDATORY_CATEGORIES, OTHER_CATEGORY].map((c) => ({
    text: plain(c.label[category]),
    value: c.slug,
  }));
  return {
    type: 'modal' as const,
    callback_id: PROPOSE_CALLBACK_ID,
    private_metadata: JSON.stringify(origin),
    title: plain(t(locale, 'modal.propose.heading')),
    submit: plain(t(locale, 'modal.propose.submit')),
    close: plain(t(locale, 'modal.propose.cancel')),
    blocks: [
      {
        type: 'input' as const,
        block_id: BLOCK.title,
        label: plain(t(locale, 'modal.propose.title')),
        element: { type: 'plain_text_input' as const, action_id: BLOCK.title },
      },
      {
        type: 'input' as const,
        block_id: BLOCK.body,
        optional: true,
        label: plain(t(locale, 'modal.propose.details')),
        element: { type: 'plain_text_input' as const, action_id: BLOCK.body, multiline: true },
      },
      {
        type: 'input' as const,
        block_id: BLOCK.category,
        optional: true,
        label: plain(t(locale, 'modal.propose.category')),
        element: { type: 'static_select' as const, action_id: BLOCK.category, options },
      },
    ],
  };
}

const Field = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
  })
  .optional();

const SubmissionSchema = z.object({
  private_metadata: z.string().transform((text, ctx) => {
    try {
      return OriginSchema.parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'private_metadata is not a form origin' });
      return z.NEVER;
    }
  }),
  state: z.object({
    values: z.record(z.string(), z.record(z.string(), Field)),
  }),
});

export type ProposeSubmission =
  | {
      kind: 'proposal';
      origin: ProposeOrigin;
      title: string;
      body: string;
      category: string | undefined;
    }
  | { kind: 'field_errors'; errors: Record<string, string> }
  /** Not our form's shape (forged or of an old version): nothing to show in it. */
  | { kind: 'malformed' };

/** The submission's fields, or the problems to show under them in the form's language. */
export function readProposeSubmission(view: unknown): ProposeSubmission {
  const parsed = SubmissionSchema.safeParse(view);
  if (!parsed.success) return { kind: 'malformed' };
  const { locale } = parsed.data.private_metadata;
  const { values } = parsed.data.state;
  // Form fields arrive as typed (no `&amp;` encoding, unlike message text).
  const text = (block: string) => (values[block]?.[block]?.value ?? '').trim();
  const title = text(BLOCK.title);
  const body = text(BLOCK.body);
  const category = values[BLOCK.category]?.[BLOCK.category]?.selected_option?.value;
  const errors: Record<string, string> = {};
  if (title === '') errors[BLOCK.title] = t(locale, 'modal.propose.title_missing');
  else if ([...title].length > TITLE_MAX) {
    errors[BLOCK.title] = t(locale, 'modal.propose.too_long', { max: TITLE_MAX });
  }
  if ([...body].length > BODY_MAX) {
    errors[BLOCK.body] = t(locale, 'modal.propose.too_long', { max: BODY_MAX });
  }
  if (Object.keys(errors).length > 0) return { kind: 'field_errors', errors };
  return { kind: 'proposal', origin: parsed.data.private_metadata, title, body, category };
}

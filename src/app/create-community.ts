import { resolvePolicy } from '../domain/policy.ts';
import type { RosterDeps } from './deps.ts';

export type CreateCommunityInput = {
  name: string;
  timezone?: string | undefined;
  locale?: string | undefined;
  /** Policy overrides in the file form of design.md section 2. */
  policy?: unknown;
};

export type CreateCommunityOutcome =
  | { kind: 'created'; id: string; name: string }
  | { kind: 'invalid'; errors: string[] };

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Creates a community with the seed's default policy, overridden by `policy`. */
export async function createCommunity(
  deps: Pick<RosterDeps, 'clock' | 'ids' | 'communities'>,
  input: CreateCommunityInput,
): Promise<CreateCommunityOutcome> {
  const errors: string[] = [];
  const name = input.name.trim();
  if (name === '' || name.length > 100) errors.push('name: expected 1 to 100 characters');
  const timezone = input.timezone ?? 'Asia/Shanghai';
  if (!isTimeZone(timezone))
    errors.push(`timezone: "${timezone}" is not an IANA time zone such as Asia/Shanghai`);
  const locale = input.locale ?? 'zh-CN';
  if (locale !== 'zh-CN' && locale !== 'en')
    errors.push(`locale: expected zh-CN or en, got "${locale}"`);
  const policy = resolvePolicy(input.policy ?? {});
  if (!policy.ok) errors.push(...policy.errors);
  if (errors.length > 0 || (locale !== 'zh-CN' && locale !== 'en'))
    return { kind: 'invalid', errors };

  const id = deps.ids.next();
  const at = deps.clock.now();
  await deps.communities.create(
    { id, name, timezone, locale, policy: (input.policy ?? {}) as Record<string, unknown> },
    {
      communityId: id,
      actor: 'cli',
      action: 'community.created',
      subject: `community:${id}`,
      payload: { name, timezone, locale, policy: input.policy ?? {} },
      at,
    },
  );
  return { kind: 'created', id, name };
}

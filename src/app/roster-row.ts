/**
 * The roster CSV contract: header
 * `building,unit,name,roles,telegram_user_id,slack_user_id`, roles separated
 * by `;`, the last two columns optional.
 */
import { z } from 'zod';
import { ROLES, type Role } from '../domain/role.ts';
import type { RosterEntry } from './ports/store.ts';

export const ROSTER_HEADER = [
  'building',
  'unit',
  'name',
  'roles',
  'telegram_user_id',
  'slack_user_id',
] as const;

const text = (what: string, max: number) =>
  z
    .string({ error: `${what} is missing` })
    .trim()
    .min(1, `${what} is empty`)
    .max(max, `${what} is longer than ${max} characters`);

const RoleListSchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const roles = new Set<Role>();
    let executingUnit: string | undefined;
    const parts =
      value === ''
        ? ['resident']
        : value
            .split(';')
            .map((p) => p.trim())
            .filter(Boolean);
    for (const part of parts) {
      if (part.startsWith('executor:')) {
        const unit = part.slice('executor:'.length).trim();
        if (!unit) {
          ctx.addIssue({
            code: 'custom',
            message: 'role "executor:" needs a unit name, e.g. executor:物业',
          });
          return z.NEVER;
        }
        if (executingUnit && executingUnit !== unit) {
          ctx.addIssue({ code: 'custom', message: 'a resident can be executor of one unit only' });
          return z.NEVER;
        }
        executingUnit = unit;
        roles.add('executor');
      } else if ((ROLES as readonly string[]).includes(part) && part !== 'executor') {
        roles.add(part as Role);
      } else {
        ctx.addIssue({
          code: 'custom',
          message: `unknown role "${part}" (expected resident, representative, committee, supervisor, executor:UNIT or street_office)`,
        });
        return z.NEVER;
      }
    }
    return { roles: [...roles].sort(), executingUnit };
  });

export const RosterRowSchema = z.object({
  building: text('building', 64),
  unit: text('unit', 32),
  name: text('name', 64),
  roles: RoleListSchema,
  telegram_user_id: z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, 'telegram_user_id must be the numeric Telegram user id')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  slack_user_id: z
    .string()
    .trim()
    .regex(/^[UW][A-Z0-9]{2,20}$/, 'slack_user_id must look like U012AB3CD')
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

export type RosterProblem = { line: number; reason: string };

/**
 * Validates every record (objects keyed by the header) and returns either
 * all entries or all problems, so that a bad file imports nothing.
 * `firstLine` is the file line of the first record (2 after a header).
 */
export function validateRoster(
  records: readonly Record<string, string | undefined>[],
  firstLine = 2,
): { ok: true; entries: RosterEntry[] } | { ok: false; problems: RosterProblem[] } {
  const problems: RosterProblem[] = [];
  const entries: RosterEntry[] = [];
  const seen = new Map<string, number>();
  const telegramIds = new Map<string, number>();
  const slackIds = new Map<string, number>();
  records.forEach((record, index) => {
    const line = firstLine + index;
    const parsed = RosterRowSchema.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = issue.path[0];
        const reason = issue.message.includes(String(column ?? ''))
          ? issue.message
          : `${String(column ?? 'row')}: ${issue.message}`;
        problems.push({ line, reason });
      }
      return;
    }
    const row = parsed.data;
    const key = `${row.building}\u0000${row.unit}\u0000${row.name}`;
    const duplicateOf = seen.get(key);
    if (duplicateOf !== undefined) {
      problems.push({ line, reason: `same building, unit and name as line ${duplicateOf}` });
      return;
    }
    seen.set(key, line);
    for (const [id, map, column] of [
      [row.telegram_user_id, telegramIds, 'telegram_user_id'],
      [row.slack_user_id, slackIds, 'slack_user_id'],
    ] as const) {
      if (id === undefined) continue;
      const other = map.get(id);
      if (other !== undefined) {
        problems.push({ line, reason: `${column} ${id} is already used on line ${other}` });
        return;
      }
      map.set(id, line);
    }
    entries.push({
      line,
      building: row.building,
      unit: row.unit,
      name: row.name,
      roles: row.roles.roles,
      executingUnit: row.roles.executingUnit,
      telegramUserId: row.telegram_user_id,
      slackUserId: row.slack_user_id,
    });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, entries };
}

import { writeFile } from 'node:fs/promises';

export const HEADER = 'building,unit,name,roles,telegram_user_id,slack_user_id';

/** A roster of `households` households across buildings of 50, with a few office holders. */
/** Roster position 0 is on the committee, 1 a building representative, 2 an executor of 物业. */
export function rolesFor(index: number): string {
  return (
    ['resident;committee', 'resident;representative', 'resident;executor:物业'][index] ?? 'resident'
  );
}

export function rosterLines(households: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < households; i++) {
    const building = `${Math.floor(i / 50) + 1}`;
    const unit = `${Math.floor((i % 50) / 4) + 1}0${(i % 4) + 1}`;
    const roles = rolesFor(i);
    lines.push(`${building},${unit},居民${i},${roles},${100000 + i},`);
  }
  return lines;
}

export async function writeRoster(path: string, lines: readonly string[]): Promise<string> {
  await writeFile(path, `${HEADER}\n${lines.join('\n')}\n`);
  return path;
}

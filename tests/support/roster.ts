import { writeFile } from 'node:fs/promises';

export const HEADER = 'building,unit,name,roles,telegram_user_id,slack_user_id';

/** A roster of `households` households across buildings of 50, with a few office holders. */
export function rosterLines(households: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < households; i++) {
    const building = `${Math.floor(i / 50) + 1}`;
    const unit = `${Math.floor((i % 50) / 4) + 1}0${(i % 4) + 1}`;
    const roles =
      i === 0
        ? 'resident;committee'
        : i === 1
          ? 'resident;representative'
          : i === 2
            ? 'executor:物业'
            : 'resident';
    lines.push(`${building},${unit},居民${i},${roles},${100000 + i},`);
  }
  return lines;
}

export async function writeRoster(path: string, lines: readonly string[]): Promise<string> {
  await writeFile(path, `${HEADER}\n${lines.join('\n')}\n`);
  return path;
}

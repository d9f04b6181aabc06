import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ROSTER_HEADER } from '../app/roster-row.ts';

export type CsvRead =
  | { ok: true; records: Record<string, string>[] }
  | { ok: false; problem: string };

/**
 * Streams a roster CSV into records keyed by the header. On a terminal, a
 * progress bar follows the bytes read (large rosters take a while to parse).
 */
export async function readRosterCsv(path: string, showProgress: boolean): Promise<CsvRead> {
  // Loaded here, not at the top: every other command starts without them.
  const [{ SingleBar }, { parse }] = await Promise.all([
    import('cli-progress'),
    import('csv-parse'),
  ]);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return { ok: false, problem: `cannot read ${path}: no such file` };
  }
  const bar =
    showProgress && size > 256 * 1024
      ? new SingleBar({ format: 'reading {bar} {percentage}%' })
      : undefined;
  bar?.start(size, 0);
  const source = createReadStream(path);
  let read = 0;
  source.on('data', (chunk) => {
    read += chunk.length;
    bar?.update(read);
  });
  const records: Record<string, string>[] = [];
  try {
    const parser = source.pipe(
      parse({
        bom: true,
        columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
        skip_empty_lines: true,
        trim: true,
        relax_column_count_less: true,
      }),
    );
    let checkedHeader = false;
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      if (!checkedHeader) {
        const missing = ROSTER_HEADER.slice(0, 4).filter((c) => !(c in record));
        if (missing.length) {
          return {
            ok: false,
            problem: `line 1: header must be ${ROSTER_HEADER.join(',')} (missing ${missing.join(', ')})`,
          };
        }
        checkedHeader = true;
      }
      records.push(record);
    }
  } catch (error) {
    return { ok: false, problem: `${path}: ${(error as Error).message}` };
  } finally {
    bar?.stop();
  }
  return { ok: true, records };
}

/**
 * The board's page cache: readers arriving during a render share it, a new
 * change counter or the age limit renders again.
 */
import { describe, expect, it } from 'vitest';
import { PageCache } from '../../../src/web/board/page-cache.ts';

describe('board page cache', () => {
  it('renders a page once for readers who arrive while it is being rendered', async () => {
    const cache = new PageCache(30_000);
    let renders = 0;
    let finish: () => void = () => {};
    const build = () => {
      renders++;
      return new Promise<{ body: string; type: string }>((resolve) => {
        finish = () => resolve({ body: `page ${renders}`, type: 'text/html' });
      });
    };
    const readers = Array.from({ length: 20 }, () => cache.get('c1', '7', 'board', 0, build));
    finish();
    const pages = await Promise.all(readers);
    expect(renders).toBe(1);
    expect(new Set(pages.map((p) => p.body))).toEqual(new Set(['page 1']));
  });

  it('renders again after the community changed or the page grew too old', async () => {
    const cache = new PageCache(30_000);
    let renders = 0;
    const build = async () => ({ body: `page ${++renders}`, type: 'text/html' });
    expect((await cache.get('c1', '7', 'board', 0, build)).body).toBe('page 1');
    expect((await cache.get('c1', '7', 'board', 29_999, build)).body).toBe('page 1');
    expect((await cache.get('c1', '8', 'board', 29_999, build)).body).toBe('page 2');
    expect((await cache.get('c1', '8', 'board', 60_000, build)).body).toBe('page 3');
  });

  it('does not keep a failed render: the next reader tries again', async () => {
    const cache = new PageCache(30_000);
    await expect(
      cache.get('c1', '7', 'board', 0, async () => {
        throw new Error('database away');
      }),
    ).rejects.toThrow('database away');
    const page = await cache.get('c1', '7', 'board', 1, async () => ({ body: 'ok', type: 'x' }));
    expect(page.body).toBe('ok');
  });
});

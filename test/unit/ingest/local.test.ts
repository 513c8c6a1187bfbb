import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLocalObjects } from '../../../src/ingest/local.ts';
import { putFile, tempDir } from '../../support/files.ts';

describe('listLocalObjects', () => {
  it('follows each real folder once: links back up the tree are skipped and named, not walked forever', async () => {
    const dir = await tempDir('mp-links-');
    await putFile(dir, 'OfferFeed_V1/year=2026/month=01/data.csv', 'x');
    await symlink('.', path.join(dir, 'self'));
    await symlink('..', path.join(dir, 'OfferFeed_V1', 'up'));
    await symlink(path.join(dir, 'b'), path.join(dir, 'a'));
    await symlink(path.join(dir, 'a'), path.join(dir, 'b'));
    const skipped: string[] = [];
    const objects = await listLocalObjects([dir], { onSkipped: (note) => skipped.push(note) });
    expect(objects.map((o) => o.key)).toEqual(['OfferFeed_V1/year=2026/month=01/data.csv']);
    expect(skipped.sort()).toEqual([
      `skipped ${path.join(dir, 'OfferFeed_V1', 'up')}: a link to ${dir}, which is already read`,
      `skipped ${path.join(dir, 'a')}: a link to something that does not exist (or a loop of links)`,
      `skipped ${path.join(dir, 'b')}: a link to something that does not exist (or a loop of links)`,
      `skipped ${path.join(dir, 'self')}: a link to ${dir}, which is already read`,
    ].sort());
  });

  it('reads a linked folder that is not an ancestor, under the link name (a bucket copy may link data in)', async () => {
    const dir = await tempDir('mp-links-');
    const elsewhere = await tempDir('mp-elsewhere-');
    await putFile(elsewhere, 'year=2026/month=02/data.csv', 'x');
    await symlink(elsewhere, path.join(dir, 'OfferFeed_V1'));
    const objects = await listLocalObjects([dir]);
    expect(objects.map((o) => o.key)).toEqual(['OfferFeed_V1/year=2026/month=02/data.csv']);
  });

  it('reads relative paths against the folder it is given', async () => {
    const dir = await tempDir('mp-cwd-');
    await putFile(dir, 'bucket/OfferFeed_V1/year=2026/month=03/data.csv', 'x');
    const objects = await listLocalObjects(['bucket'], { cwd: dir });
    expect(objects.map((o) => [o.key, o.location])).toEqual([['OfferFeed_V1/year=2026/month=03/data.csv', path.join(dir, 'bucket/OfferFeed_V1/year=2026/month=03/data.csv')]]);
  });
});

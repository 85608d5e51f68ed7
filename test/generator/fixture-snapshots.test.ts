// Every file `generate` writes, for each small fixture spec, as a file snapshot: a change to any stage shows up
// in review as a diff of real output. Update on purpose with `npx vitest run -u test/generator/fixture-snapshots.test.ts`.
import { describe, expect, it } from 'vitest';
import { renderFiles } from '../../generator/emit/emit.js';
import { buildFixture, FIXTURES } from '../helpers/fixtures.js';

describe.each(FIXTURES)('%s', (name) => {
  it('renders the same files', async () => {
    const files = await renderFiles(await buildFixture(name));
    for (const [rel, content] of files) {
      await expect(content).toMatchFileSnapshot(`__snapshots__/fixtures/${name}/${rel}`);
    }
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateRoutesMarkdown, ROUTES_MD } from '../../tools/docs/generate-routes.ts';

/**
 * docs/routes.md is generated from the OpenAPI document the API serves. A route added,
 * removed or changed without `npm run docs:routes` leaves the file stale: this fails.
 * No database: the app is built with pools that never connect.
 */
describe('docs/routes.md', () => {
  it('is what tools/docs/generate-routes.ts makes of the current OpenAPI document (run `npm run docs:routes`)', async () => {
    const expected = await generateRoutesMarkdown();
    expect(readFileSync(ROUTES_MD, 'utf8')).toBe(expected);
  });
});

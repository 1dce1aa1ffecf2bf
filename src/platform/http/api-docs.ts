import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { App } from './app.ts';
import { problem, problemResponse } from './problem.ts';

/**
 * The API's documentation page, served entirely from this origin: Swagger UI's bundle and
 * stylesheet are read from the installed `swagger-ui-dist` package, so `/docs` works on a
 * machine or network without internet access, and the page can carry a strict
 * Content-Security-Policy. `node:fs` and `node:module` are Node built-ins that Deno
 * provides as well, so the Deno entry serves the same page.
 */

const ASSET_BASE = '/docs/assets';
/** Ours, not the package's: Swagger UI's own initializer points at the petstore demo. */
const INIT_SCRIPT = 'init.js';

/**
 * The only package files served. A lookup in this map is the whole path check: a name
 * that is not a key (`../package.json`, `constructor`, a source map) is a 404, so no
 * request can reach any other file on disk.
 */
const PACKAGE_ASSETS = new Map<string, string>([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
  ['favicon-16x16.png', 'image/png'],
]);

/**
 * Scripts only from this origin (the init script is a file for that reason, not inline).
 * Styles need 'unsafe-inline': Swagger UI injects style elements at run time, and a
 * style cannot run code. Its stylesheet draws icons from data: URLs. connect-src 'self'
 * is what lets it fetch the spec and "Try it out" call this API, and nothing else.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The package's files never change under a given version, and their URLs carry it. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

interface SwaggerUiPackage {
  directory: string;
  version: string;
}

/**
 * Found when first asked for, not at start-up: a broken install should cost the docs
 * page (a logged 500), never the API. A failed look-up is not remembered, so the next
 * request tries again.
 */
function lazily<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

const swaggerUiPackage = lazily(async (): Promise<SwaggerUiPackage> => {
  // Resolved through Node's algorithm from this file, which Deno follows too when it
  // runs with the project's node_modules, so both find the same installed copy.
  const manifest = createRequire(import.meta.url).resolve('swagger-ui-dist/package.json');
  const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
  return { directory: dirname(manifest), version };
});

/** The package's files are read once per process and then served from memory (about 2 MB). */
const assetCache = new Map<string, () => Promise<Uint8Array<ArrayBuffer>>>();
function packageAsset(file: string): Promise<Uint8Array<ArrayBuffer>> {
  let load = assetCache.get(file);
  if (!load) {
    load = lazily(async () => new Uint8Array(await readFile(join((await swaggerUiPackage()).directory, file))));
    assetCache.set(file, load);
  }
  return load();
}

/**
 * The same for every app: the spec URL comes from the page (`data-spec-url`), so the
 * script needs no templating and the page itself names the document it shows.
 * validatorUrl: null, or Swagger UI shows a badge image fetched from validator.swagger.io.
 */
const INIT_SCRIPT_SOURCE = `window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-spec-url'),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
  });
});
`;

function page(title: string, specUrl: string, version: string): string {
  const asset = (file: string) => `${ASSET_BASE}/${file}?v=${encodeURIComponent(version)}`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(title)}</title>
    <link rel="stylesheet" href="${asset('swagger-ui.css')}" />
    <link rel="icon" type="image/png" href="${asset('favicon-32x32.png')}" sizes="32x32" />
    <link rel="icon" type="image/png" href="${asset('favicon-16x16.png')}" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui" data-spec-url="${escapeHtml(specUrl)}"></div>
    <script src="${asset('swagger-ui-bundle.js')}"></script>
    <script src="${ASSET_BASE}/${INIT_SCRIPT}"></script>
  </body>
</html>
`;
}

/**
 * `GET /docs` (Swagger UI over the document at `specUrl`) and `GET /docs/assets/:file`.
 * Plain routes, not OpenAPI ones: the documentation does not document itself.
 */
export function registerApiDocs(app: App, options: { specUrl: string; title: string }): void {
  const html = lazily(async () => page(options.title, options.specUrl, (await swaggerUiPackage()).version));

  app.get('/docs', async (c) =>
    c.body(await html(), 200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': DOCS_CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      // The page names the package's version in its asset URLs: it must not outlive an upgrade.
      'cache-control': 'no-cache',
    }),
  );

  app.get(`${ASSET_BASE}/:file`, async (c) => {
    const file = c.req.param('file');
    if (file === INIT_SCRIPT) {
      // Its URL names no version (it changes with this code, not the package): revalidated.
      return c.body(INIT_SCRIPT_SOURCE, 200, {
        'content-type': 'text/javascript; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      });
    }
    const contentType = PACKAGE_ASSETS.get(file);
    if (!contentType) return problemResponse(problem(404, 'Not found', 'no such documentation asset'));
    const bytes = await packageAsset(file);
    return c.body(bytes, 200, {
      'content-type': contentType,
      'content-length': String(bytes.byteLength),
      'x-content-type-options': 'nosniff',
      'cache-control': IMMUTABLE,
    });
  });
}

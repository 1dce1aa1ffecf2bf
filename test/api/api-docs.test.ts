import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CONTENT_SECURITY_POLICY, registerApiDocs } from '../../src/platform/http/api-docs.ts';
import type { AppEnv } from '../../src/platform/http/app-env.ts';

/**
 * The docs page must work with no internet access: everything it loads comes from this
 * origin, and the package files are the installed swagger-ui-dist's own. Mounted on a
 * bare app (no database, no Temporal): the page depends on neither.
 */
const PACKAGE_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const SPEC_URL = '/openapi.json';

const app = new OpenAPIHono<AppEnv>();
registerApiDocs(app, { specUrl: SPEC_URL, title: 'Docs <under> "test"' });
app.doc31(SPEC_URL, { openapi: '3.1.0', info: { title: 't', version: '0' } });

const get = (path: string) => app.request(`http://docs.test${path}`);

let html: string;
let docsResponse: Response;
beforeAll(async () => {
  docsResponse = await get('/docs');
  html = await docsResponse.text();
});

/** Every URL the page makes the browser load: script sources and link hrefs. */
function referencedUrls(page: string): string[] {
  return [...page.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

describe('GET /docs', () => {
  it('is an HTML page under a same-origin-only Content-Security-Policy', () => {
    expect(docsResponse.status).toBe(200);
    expect(docsResponse.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = docsResponse.headers.get('content-security-policy');
    expect(csp).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/https?:|\*/);
  });

  it('loads nothing from another origin: no http(s) URL anywhere, no protocol-relative URL', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    const urls = referencedUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) expect(url, url).toMatch(/^\/docs\/assets\/[^/]/);
  });

  it('has no inline script, which its script-src would refuse', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(2);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="/);
      expect(body!.trim()).toBe('');
    }
  });

  it('names the OpenAPI document and escapes the title', () => {
    expect(html).toContain(`data-spec-url="${SPEC_URL}"`);
    expect(html).toContain('<title>Docs &lt;under&gt; &quot;test&quot;</title>');
  });

  it('is not itself in the OpenAPI document', async () => {
    const doc = (await (await get(SPEC_URL)).json()) as { paths?: Record<string, unknown> };
    expect(Object.keys(doc.paths ?? {}).filter((path) => path.startsWith('/docs'))).toEqual([]);
  });
});

describe('GET /docs/assets/:file', () => {
  const EXPECTED_TYPE: Record<string, RegExp> = {
    css: /^text\/css/,
    js: /^text\/javascript/,
    png: /^image\/png$/,
  };

  it('serves every asset the page references, non-empty and with its content type', async () => {
    for (const url of referencedUrls(html)) {
      const response = await get(url);
      expect(response.status, url).toBe(200);
      const extension = new URL(url, 'http://docs.test').pathname.split('.').pop()!;
      expect(response.headers.get('content-type'), url).toMatch(EXPECTED_TYPE[extension]!);
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect((await response.arrayBuffer()).byteLength, url).toBeGreaterThan(0);
    }
  });

  it("serves the installed package's own files, cached for a year under a versioned URL", async () => {
    const { version } = JSON.parse(readFileSync(`${PACKAGE_DIR}/package.json`, 'utf8')) as { version: string };
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png']) {
      expect(html).toContain(`/docs/assets/${file}?v=${version}`);
      const response = await get(`/docs/assets/${file}?v=${version}`);
      expect(response.headers.get('cache-control'), file).toMatch(/max-age=31536000/);
      expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(`${PACKAGE_DIR}/${file}`)), file).toBe(true);
    }
  });

  it('starts Swagger UI from its own script, without the validator badge from swagger.io', async () => {
    const response = await get('/docs/assets/init.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    const script = await response.text();
    expect(script).toContain('SwaggerUIBundle(');
    expect(script).toContain('data-spec-url');
    expect(script).toMatch(/validatorUrl:\s*null/);
  });

  it('answers 404 problem+json for a file outside the allow-list', async () => {
    for (const file of ['nope.js', 'index.html', 'swagger-initializer.js', 'swagger-ui-bundle.js.map', 'constructor', '__proto__']) {
      const response = await get(`/docs/assets/${file}`);
      expect(response.status, file).toBe(404);
      expect(response.headers.get('content-type'), file).toBe('application/problem+json');
      expect(await response.json(), file).toMatchObject({ status: 404, title: 'Not found' });
    }
  });

  it('refuses path traversal, encoded or not, without reading the file', async () => {
    const manifest = readFileSync(`${PACKAGE_DIR}/package.json`, 'utf8');
    for (const path of [
      '/docs/assets/..%2Fpackage.json',
      '/docs/assets/%2e%2e%2fpackage.json',
      '/docs/assets/..%5Cpackage.json',
      '/docs/assets/..%2F..%2F..%2Fpackage.json',
      '/docs/assets/%2Fetc%2Fpasswd',
      '/docs/assets/swagger-ui.css%00.png',
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      const body = await response.text();
      expect(body, path).not.toContain('"name"');
      expect(body, path).not.toContain(manifest.slice(0, 40));
    }
  });
});

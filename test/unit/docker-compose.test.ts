import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * Docker does not run on this project's machines, so the compose file is checked
 * statically: it parses, has every service the README promises with health checks and
 * wiring, and every command it runs exists in the repository.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  restart?: string;
}
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const LONG_RUNNING = ['postgres', 'temporal', 'temporal-ui', 'worker', 'relay', 'api', 'simulators'];
/** Checked in depth by observability-stack.test.ts (scrape targets, provisioning, dashboard queries). */
const OBSERVABILITY = ['prometheus', 'grafana'];

describe('docker-compose.yml', () => {
  it('has every service the README names', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## Production-like stack'));
    const named = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(named.length).toBeGreaterThanOrEqual(LONG_RUNNING.length);
    expect(Object.keys(services)).toEqual(expect.arrayContaining(named as string[]));
    expect(named).toEqual(expect.arrayContaining(LONG_RUNNING));
  });

  it('gives every long-running service a health check', () => {
    for (const name of [...LONG_RUNNING, ...OBSERVABILITY]) expect(services[name]?.healthcheck?.test, name).toBeDefined();
  });

  it('runs Temporal on the Postgres service and the UI against Temporal', () => {
    expect(services.temporal?.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(services.temporal?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['temporal-ui']?.ports).toContain('8233:8080');
  });

  it('wires the platform processes to Postgres and Temporal, after migrations', () => {
    for (const name of ['worker', 'relay', 'api', 'migrate']) {
      const env = services[name]?.environment ?? {};
      expect(env.DATABASE_URL, name).toMatch(/@postgres:5432\//);
      expect(env.TEMPORAL_ADDRESS, name).toBe('temporal:7233');
    }
    for (const name of ['worker', 'relay', 'api']) {
      expect(services[name]?.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
    }
    expect(services.api?.ports).toContain('3000:3000');
  });

  it('runs commands that exist in this repository', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const command = Array.isArray(service.command) ? service.command : [];
      const script = command.find((part) => part.endsWith('.ts'));
      expect(script, name).toBeDefined();
      expect(existsSync(`${ROOT}${script}`), `${name}: ${script}`).toBe(true);
    }
    expect(existsSync(`${ROOT}Dockerfile`)).toBe(true);
  });

  it('starts each platform process as its npm script does (the worker with its V8 flags)', () => {
    const scripts = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
    const started = Object.keys(services).filter((name) => services[name]!.build && scripts[name]);
    expect(started).toEqual(expect.arrayContaining(['api', 'worker', 'relay', 'migrate']));
    for (const name of started) {
      // `VAR=value node …`: the variables are the service's environment, the rest its command.
      const words = scripts[name]!.split(' ');
      const variables = words.filter((word, i) => words.slice(0, i + 1).every((w) => /^[A-Z_]+=/.test(w)));
      expect(services[name]!.command, name).toEqual(words.slice(variables.length));
      for (const variable of variables) {
        const [key, value] = variable.split('=') as [string, string];
        expect(String(services[name]!.environment?.[key]), `${name}: ${key}`).toBe(value);
      }
    }
  });
});

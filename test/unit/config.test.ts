import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/kernel/duration.ts';
import { ConfigError, devSecretsInUse, loadConfig } from '../../src/platform/config/config.ts';

describe('durations', () => {
  it('reads the five units', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('3d')).toBe(259_200_000);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '3', '3 days', '1.5h', '-1s', '0s', 'd3', '3w']) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe('configuration', () => {
  it('has the defaults docs/configuration.md lists', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      TEMPORAL_NAMESPACE: 'default',
      PAYMENT_WINDOW: 3 * 86_400_000,
      SHIPPING_DEADLINE: 2 * 86_400_000,
      DELIVERY_DEADLINE: 14 * 86_400_000,
      WITHDRAWAL_TIMEOUT: 3_600_000,
      PAYMENTS_SIM_PORT: 4010,
      CARRIER_SIM_PORT: 4020,
      LIGHTNING_SIM_PORT: 4030,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(devSecretsInUse(config)).toHaveLength(4);
  });

  it('stops start-up naming each invalid variable', () => {
    let error: unknown;
    try {
      loadConfig({ PAYMENT_WINDOW: '3 days', PORT: 'eighty', AUTH_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['AUTH_SECRET', 'PAYMENT_WINDOW', 'PORT']);
    expect((error as Error).message).toMatch(/PAYMENT_WINDOW: "3 days" is not a duration/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PAYMENT_WINDOW: '', DATABASE_URL: '' }).PAYMENT_WINDOW).toBe(3 * 86_400_000);
  });
});

describe('the order after payment (issue 13)', () => {
  const DAY = 86_400_000;

  it('has the defaults for the new durations and the platform fee', () => {
    expect(loadConfig({})).toMatchObject({
      SELLER_RESPONSE_WINDOW: 2 * DAY,
      CONFIRMATION_WINDOW: 7 * DAY,
      CONFIRMATION_REMINDER: 3 * DAY,
      VOUCHER_VALIDITY: 90 * DAY,
      VOUCHER_CANCEL_WINDOW: 7 * DAY,
      SETTLEMENT_DELAY: DAY,
      PLATFORM_FEE: 500,
    });
  });

  const DURATIONS = [
    'SELLER_RESPONSE_WINDOW',
    'CONFIRMATION_WINDOW',
    'CONFIRMATION_REMINDER',
    'VOUCHER_VALIDITY',
    'VOUCHER_CANCEL_WINDOW',
    'SETTLEMENT_DELAY',
  ] as const;

  it.each(DURATIONS)('reads %s as a duration, and refuses anything else naming it', (variable) => {
    expect(loadConfig({ [variable]: '90s' })[variable]).toBe(90_000);
    expect(loadConfig({ [variable]: '' })[variable]).toBe(loadConfig({})[variable]);
    let error: unknown;
    try {
      loadConfig({ [variable]: '2 days' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([variable]);
    expect((error as Error).message).toContain(`${variable}: "2 days" is not a duration`);
  });

  it.each([
    ['5%', 500],
    ['2.25%', 225],
    ['2.5%', 250],
    ['0%', 0],
    ['0.01%', 1],
    ['100%', 10_000],
    ['100.00%', 10_000],
    ['05%', 500],
  ] as const)('reads PLATFORM_FEE %s as %i basis points', (text, basisPoints) => {
    expect(loadConfig({ PLATFORM_FEE: text }).PLATFORM_FEE).toBe(basisPoints);
  });

  it('treats an empty PLATFORM_FEE as unset: 5%', () => {
    expect(loadConfig({ PLATFORM_FEE: '' }).PLATFORM_FEE).toBe(500);
  });

  it.each(['101%', '100.01%', '5', '5.123%', '-1%', 'abc', '%', '.5%', '5.%', '5 %', '1e2%', '5%%'])(
    'refuses PLATFORM_FEE %s, naming the variable',
    (text) => {
      let error: unknown;
      try {
        loadConfig({ PLATFORM_FEE: text });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['PLATFORM_FEE']);
      expect((error as Error).message).toContain(`PLATFORM_FEE: "${text}" is not a percentage from 0% to 100%`);
    },
  );
});

describe('observability (issue 14)', () => {
  it('serves the worker and relay metrics on 9464 and 9465, any free port for 0, and traces nothing by default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ WORKER_METRICS_PORT: 9464, RELAY_METRICS_PORT: 9465 });
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(loadConfig({ WORKER_METRICS_PORT: '0', RELAY_METRICS_PORT: '0' })).toMatchObject({
      WORKER_METRICS_PORT: 0,
      RELAY_METRICS_PORT: 0,
    });
  });

  it('names a bad metrics port or collector address', () => {
    let error: unknown;
    try {
      loadConfig({ WORKER_METRICS_PORT: '70000', RELAY_METRICS_PORT: 'ninety', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'RELAY_METRICS_PORT',
      'WORKER_METRICS_PORT',
    ]);
  });
});

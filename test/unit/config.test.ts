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

import { describe, expect, it } from 'vitest';
import { createAlarms } from '../../src/simulators/alarms.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('alarms', () => {
  it('runs a callback once its moment comes on the given clock, and at once when it has passed', async () => {
    const offset = -3_600_000; // a clock an hour behind: only it decides what is due
    const alarms = createAlarms(() => Date.now() + offset);
    const ran: string[] = [];
    alarms.at(Date.now() + offset + 30, () => ran.push('soon'));
    alarms.at(Date.now() + offset - 1_000, () => ran.push('past'));
    await pause(5);
    expect(ran).toEqual(['past']);
    await expect.poll(() => ran).toEqual(['past', 'soon']);
  });

  it('does not take a wait beyond the 32-bit timer limit for "now"', async () => {
    const alarms = createAlarms(Date.now);
    let ran = false;
    alarms.at(Date.now() + 2 ** 31 + 1_000, () => (ran = true));
    await pause(30);
    expect(ran).toBe(false);
    alarms.clear();
  });

  it('cancels everything still waiting on clear()', async () => {
    const alarms = createAlarms(Date.now);
    let ran = 0;
    alarms.at(Date.now() + 20, () => ran++);
    alarms.at(Date.now() + 40, () => ran++);
    alarms.clear();
    await pause(80);
    expect(ran).toBe(0);
  });
});

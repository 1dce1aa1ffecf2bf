import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * The run's one source of chance, seeded so a run can be replayed: which customer does
 * what, which fault strikes when. Concurrency still interleaves the requests differently
 * from run to run; the seed fixes the plan, not the scheduler of the machine.
 */
export class Random {
  private readonly generator;

  constructor(readonly seed: number) {
    this.generator = xoroshiro128plus(seed);
  }

  /** An integer in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.generator, from, to);
  }

  /** True with the given chance, in percent. */
  percent(chance: number): boolean {
    return this.int(1, 100) <= chance;
  }

  pick<T>(choices: readonly T[]): T {
    if (choices.length === 0) throw new Error('nothing to pick from');
    return choices[this.int(0, choices.length - 1)]!;
  }

  /** One of the weighted choices: `{ visa: 5, declined: 1 }` picks visa five times as often. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let roll = this.int(
      1,
      entries.reduce((total, [, weight]) => total + weight, 0),
    );
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll <= 0) return key;
    }
    return entries[entries.length - 1]![0];
  }

  /** A new generator for one actor, so its choices do not depend on how others interleave. */
  fork(): Random {
    return new Random(this.int(0, 0x7fffffff));
  }
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

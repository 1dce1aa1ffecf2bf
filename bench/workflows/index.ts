// The bench worker's workflow bundle entry: every production workflow, plus the baselines
// the benchmarks compare against. The production bundle (workflows/index.ts) has no bench code.
export * from '../../workflows/index.ts';
export { benchBaseline, benchBaselineChild } from './baseline.ts';

/**
 * `npm run temporal:cli`: finds the Temporal CLI, building and caching it with Go the
 * first time (minutes; progress is printed). CI runs it before the tests so the build
 * shows as its own step; `npm run dev` and `npm test` do the same lookup themselves.
 */
import { resolveTemporalCli, temporalCliCacheDir } from '../platform/launch/temporal-cli.ts';

const cli = await resolveTemporalCli((line) => console.log(line));
if (cli) {
  console.log(`Temporal CLI: ${cli}`);
} else {
  console.log(
    `Temporal CLI: none found or built (cache: ${temporalCliCacheDir()}); the SDK's download will be tried where the machine is online`,
  );
}

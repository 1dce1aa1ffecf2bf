import { pathToFileURL } from 'node:url';

/**
 * Runs `main` when the file at `moduleUrl` is the process's entry point (and not when it
 * is imported, e.g. by `npm run dev` or the tests); a failure prints and exits 1.
 */
export function runMain(moduleUrl: string, main: () => Promise<void>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

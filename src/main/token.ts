/** `npm run token -- <customerId>`: prints a bearer token for local use, signed with AUTH_SECRET. */
import { devSecretsInUse, loadConfig } from '../platform/config/config.ts';
import { issueToken } from '../platform/http/auth.ts';

const customerId = process.argv[2];
if (!customerId) {
  console.error('usage: npm run token -- <customerId> [expiresIn, e.g. 12h]');
  process.exit(2);
}
const config = loadConfig(process.env);
if (devSecretsInUse(config).includes('AUTH_SECRET')) console.error('(signed with the development AUTH_SECRET)');
console.log(await issueToken(config.AUTH_SECRET, customerId, process.argv[3] ?? '12h'));

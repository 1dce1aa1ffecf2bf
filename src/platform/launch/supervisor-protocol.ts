import { z } from 'zod';

/** What a launcher tells `supervisor.ts` (as one JSON argument), and what it hears back. */
export const SupervisorSpecSchema = z.object({
  name: z.string(),
  launcherPid: z.number().int().positive(),
  command: z.string(),
  args: z.array(z.string()),
  cwd: z.string().optional(),
  uid: z.number().int().optional(),
  gid: z.number().int().optional(),
  stopSignal: z.enum(['SIGTERM', 'SIGINT']),
  /** After the launcher died: the server must be gone within 3 s of it. */
  watchdogGraceMs: z.number().int().positive(),
  /** An orderly stop asked by the launcher. */
  orderlyGraceMs: z.number().int().positive(),
  recordFile: z.string(),
  ports: z.array(z.number().int()),
});
export type SupervisorSpec = z.infer<typeof SupervisorSpecSchema>;

/** Written to fd 3 once the server runs. */
export const HandshakeSchema = z.object({ pid: z.number().int().positive() });

export const HANDSHAKE_FD = 3;

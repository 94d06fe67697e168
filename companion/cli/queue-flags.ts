// The flags that name a studio queue, the same for `worker`, `serve` and `batch`. The password
// never needs the command line (other users can read a process's arguments): it comes from
// PAINTERLY_QUEUE_PASSWORD or a file.
import { PainterlyError } from '../../shared/errors.js';
import { queueTarget, type QueueTarget } from '../queue/connection.js';

export const QUEUE_FLAGS_HELP = `Queue:
  --queue URL           the studio's Redis: redis://[user@]host[:6379][/db], or rediss:// for TLS
  --queue-password-file FILE
                        the Redis password, from the first line of FILE (or set
                        PAINTERLY_QUEUE_PASSWORD); never put it in the URL, where \`ps\` shows it
  --queue-ca FILE       the CA that signed the Redis server's TLS certificate (rediss://;
                        or set PAINTERLY_QUEUE_CA)`;

export function queueFlagConfig() {
  return { queue: { type: 'string' }, 'queue-password-file': { type: 'string' }, 'queue-ca': { type: 'string' } } as const;
}

/** The queue the flags name, or undefined without --queue (an error when `required`). */
export function queueTargetFromFlags(v: { queue?: string; 'queue-password-file'?: string; 'queue-ca'?: string }, command: string, required = false): QueueTarget | undefined {
  if (v.queue === undefined) {
    if (required) throw new PainterlyError('BAD_ARGUMENT', `Name the queue with --queue redis://host:6379. See \`painterly ${command} --help\`.`);
    if (v['queue-password-file'] !== undefined || v['queue-ca'] !== undefined) throw new PainterlyError('BAD_ARGUMENT', '--queue-password-file and --queue-ca go with --queue.');
    return undefined;
  }
  const target = queueTarget(v.queue, { passwordFile: v['queue-password-file'], caFile: v['queue-ca'] });
  if (target.passwordInUrl) console.error('painterly: warning: the queue URL holds a password, which other users of this machine can see in its process list; use --queue-password-file or PAINTERLY_QUEUE_PASSWORD.');
  return target;
}

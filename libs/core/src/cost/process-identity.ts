import { randomUUID } from 'node:crypto';

/**
 * Who wrote a record that another process may read later: the process id plus a token unique to this run of the
 * process (a restarted container often gets the same pid again, so the pid alone cannot tell a new run from the old).
 */
export interface ProcessIdentity {
  pid: number;
  instance: string;
}

/** This process. */
export const thisProcess: ProcessIdentity = { pid: process.pid, instance: randomUUID() };

/**
 * Whether the process that wrote a record may still be running: false when it was an earlier run of this very pid,
 * or when no process has that pid any more. A live process of another user (EPERM) counts as running.
 */
export function mayStillBeRunning(writer: ProcessIdentity | undefined): boolean {
  if (writer === undefined || typeof writer.pid !== 'number') return false;
  if (writer.pid === thisProcess.pid) return writer.instance === thisProcess.instance;
  try {
    process.kill(writer.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that wrote a record may still be running, however that is known: by pid on this host
 * ({@link localLiveness}), or by a presence lease in Redis when several replicas on several hosts share the records.
 */
export type ProcessLiveness = (writer: ProcessIdentity | undefined) => Promise<boolean>;

/** Liveness by pid on this host: right for one machine, wrong for records written by another host. */
export const localLiveness: ProcessLiveness = async (writer) => mayStillBeRunning(writer);

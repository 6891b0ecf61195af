import * as fs from 'node:fs';
import * as path from 'node:path';

/** How to start a process as a user without privileges, like the container's `USER node`. */
export interface UnprivilegedRunner {
  /** Set when these tests run as root: the `nobody` user and group. */
  uid?: number;
  gid?: number;
  /** A Node binary that user can execute. */
  nodePath: string;
}

const nobody = 65534;

/**
 * As root: the `nobody` user, with this Node hard-linked (or copied) into `folder`, since root's home, where Node
 * may live, is closed to other users. As anyone else: the current user, who is already unprivileged.
 */
export function unprivilegedRunner(folder: string): UnprivilegedRunner {
  if (process.getuid?.() !== 0) return { nodePath: process.execPath };
  const nodePath = path.join(folder, 'node');
  try {
    fs.linkSync(process.execPath, nodePath);
  } catch {
    fs.copyFileSync(process.execPath, nodePath);
  }
  fs.chmodSync(nodePath, 0o755);
  return { uid: nobody, gid: nobody, nodePath };
}

/** The real user id of a running process, from /proc (Linux). */
export function userIdOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^Uid:\s+(\d+)/m.exec(status);
  if (!match) throw new Error(`no Uid line in /proc/${pid}/status`);
  return Number(match[1]);
}

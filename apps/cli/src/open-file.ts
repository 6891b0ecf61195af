import { spawn } from 'node:child_process';
import { ImageGenError } from '@imagegen/common';

/** The platform's "open with the default application" command for a file. */
export function viewerCommand(filePath: string, platform: NodeJS.Platform): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [filePath] };
  // `start` is built into cmd; the empty string is the window title, so a quoted path is not taken for one.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', `"${filePath}"`] };
  return { command: 'xdg-open', args: [filePath] };
}

/** Opens a file with the platform viewer, detached: the CLI does not wait for the viewer to close. */
export function openWithViewer(filePath: string, platform: NodeJS.Platform = process.platform): Promise<string> {
  const { command, args } = viewerCommand(filePath, platform);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsVerbatimArguments: platform === 'win32' });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new ImageGenError({
          code: 'not_found',
          message:
            error.code === 'ENOENT'
              ? `Cannot open the image: ${command} is not installed. The file is at ${filePath}.`
              : `Cannot open the image with ${command}: ${error.message}. The file is at ${filePath}.`,
          details: { viewer: command, path: filePath },
        }),
      ),
    );
    child.once('spawn', () => {
      child.unref();
      resolve(command);
    });
  });
}

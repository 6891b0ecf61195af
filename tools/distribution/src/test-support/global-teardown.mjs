import * as fs from 'node:fs';

export default async function globalTeardown() {
  const folder = process.env.IMAGEGEN_DISTRIBUTION_FOLDER;
  if (folder && !process.env.IMAGEGEN_DISTRIBUTION_KEEP) fs.rmSync(folder, { recursive: true, force: true });
}

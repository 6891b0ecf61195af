import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

/**
 * s3rver on a free loopback port with one bucket, for this library's own tests (libs/testing sits above storage, so
 * the shared `startS3CompatibleServer` there cannot be used here).
 */
export async function startS3TestServer(bucket = 'imagegen-storage-test') {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async close() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

/** A running S3-compatible server for tests (s3rver on loopback, objects in a temporary folder). */
export interface S3CompatibleServer {
  /** `http://127.0.0.1:{port}`: pass as the endpoint, with path-style addressing. */
  endpoint: string;
  /** A bucket created at start. */
  bucket: string;
  /** The access key s3rver accepts. */
  accessKeyId: string;
  /** The secret key s3rver accepts. */
  secretAccessKey: string;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
}

/**
 * Starts s3rver on a free loopback port with one bucket. s3rver covers the object calls the image store makes (put, get,
 * list, delete, head bucket) but not conditional writes, checksum or Content-MD5 verification, or multipart edge cases.
 */
export async function startS3CompatibleServer(options: { bucket?: string } = {}): Promise<S3CompatibleServer> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-s3rver-'));
  const bucket = options.bucket ?? 'imagegen-test';
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

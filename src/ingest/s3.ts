/**
 * Objects in S3 as delivered objects: identified by HEAD (ETag, size), read by a streaming GET
 * pinned to that ETag so what is loaded is what was identified.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import type { AwsSettings } from '../config.ts';
import { AppError } from '../errors.ts';
import { RejectedFile, type ObjectSource } from './load.ts';

/** Credentials from the configuration when it names them, else the SDK's default chain; an endpoint other than AWS gets path-style URLs. */
export function createS3Client(aws: AwsSettings): S3Client {
  return new S3Client({
    ...(aws.region ? { region: aws.region } : {}),
    ...(aws.credentials ? { credentials: aws.credentials } : aws.profile ? { profile: aws.profile } : {}),
    ...(aws.s3Endpoint ? { endpoint: aws.s3Endpoint, forcePathStyle: true } : {}),
  });
}

/** Turns S3's errors into the reason a person needs; transient ones stay retryable. */
export function explainS3Error(error: unknown, bucket: string, key: string): Error {
  const where = `s3://${bucket}/${key}`;
  if (!(error instanceof S3ServiceException)) return error as Error;
  const status = error.$metadata?.httpStatusCode;
  const text = `${error.name} ${error.message}`;
  if (/kms/i.test(text)) return new RejectedFile(`${where}: cannot be decrypted (${error.name}): the service needs kms:Decrypt on the bucket's KMS key`);
  if (status === 404 || error.name === 'NoSuchKey' || error.name === 'NotFound') return new RejectedFile(`${where}: no such object (404); it was deleted or the key is wrong`);
  if (status === 403 || error.name === 'AccessDenied') return new RejectedFile(`${where}: access denied (403); the service needs s3:GetObject on this prefix`);
  if (status === 412) return new AppError('aws', `${where} changed while it was being read; it will be read again`, { retryable: true, cause: error });
  return new AppError('aws', `${where}: ${error.name}: ${error.message}`, { retryable: status === undefined || status >= 500, cause: error });
}

export function s3Object(s3: S3Client, bucket: string, key: string): ObjectSource {
  let etag: string | null = null;
  return {
    source: 's3',
    bucket,
    key,
    location: `s3://${bucket}/${key}`,
    // an appended version is read whole, its earlier part hashed on the way (src/ingest/append.ts)
    seekable: false,
    async identify() {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        etag = head.ETag ?? null;
        return { size: head.ContentLength ?? null, sha256: null, etag: etag?.replace(/"/g, '') ?? null };
      } catch (error) {
        throw explainS3Error(error, bucket, key);
      }
    },
    async open() {
      try {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(etag ? { IfMatch: etag } : {}) }));
        if (!got.Body) throw new RejectedFile(`s3://${bucket}/${key}: S3 returned no body`);
        return rethrowing(got.Body as AsyncIterable<Uint8Array>, bucket, key);
      } catch (error) {
        throw explainS3Error(error, bucket, key);
      }
    },
  };
}

async function* rethrowing(body: AsyncIterable<Uint8Array>, bucket: string, key: string): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    throw new AppError('aws', `s3://${bucket}/${key}: the download broke off (${(error as Error).message}); it will be read again`, { retryable: true, cause: error });
  }
}

/** Every key under a prefix, in key order. */
export async function* listKeys(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<{ key: string; size: number; etag: string | null }> {
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) {
      if (o.Key && !o.Key.endsWith('/')) yield { key: o.Key, size: o.Size ?? 0, etag: o.ETag?.replace(/"/g, '') ?? null };
    }
  }
}

import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.ts';
import { RejectedFile } from '../../../src/ingest/load.ts';
import { explainS3Error } from '../../../src/ingest/s3.ts';

const s3Error = (name: string, status: number, message: string) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });

describe('explainS3Error', () => {
  it('rejects the object with the reason a person can act on', () => {
    const cases: Array<[S3ServiceException, RegExp]> = [
      [s3Error('NoSuchKey', 404, 'The specified key does not exist.'), /s3:\/\/b\/k: no such object \(404\)/],
      [s3Error('AccessDenied', 403, 'Access Denied'), /access denied \(403\); the service needs s3:GetObject/],
      [s3Error('AccessDenied', 403, 'User: arn:aws:iam::1:role/x is not authorized to perform: kms:Decrypt'), /cannot be decrypted \(AccessDenied\): the service needs kms:Decrypt/],
      [s3Error('KMS.DisabledException', 400, 'key disabled'), /cannot be decrypted/],
    ];
    for (const [error, message] of cases) {
      const explained = explainS3Error(error, 'b', 'k');
      expect(explained).toBeInstanceOf(RejectedFile);
      expect(explained.message).toMatch(message);
    }
  });

  it('keeps transient failures retryable instead of rejecting the file', () => {
    const changed = explainS3Error(s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold'), 'b', 'k');
    expect(changed).toBeInstanceOf(AppError);
    expect((changed as AppError).retryable).toBe(true);
    const outage = explainS3Error(s3Error('InternalError', 500, 'We encountered an internal error'), 'b', 'k');
    expect(outage).not.toBeInstanceOf(RejectedFile);
    expect((outage as AppError).retryable).toBe(true);
  });
});

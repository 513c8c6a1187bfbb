import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../../src/ingest/messages.ts';

const s3Event = (key: string, eventName = 'ObjectCreated:Put') => ({
  Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName, s3: { bucket: { name: 'seller-feeds' }, object: { key, size: 42, eTag: 'abc' } } }],
});
const envelope = (message: unknown) => ({ Type: 'Notification', MessageId: 'sns-1', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: typeof message === 'string' ? message : JSON.stringify(message), Timestamp: '2026-11-01T00:00:00Z' });

describe('classifyMessage', () => {
  it('reads S3 events raw or in an SNS envelope, decoding keys', () => {
    const key = 'feeds/BillingEventFeed_V1/year%3D2026/month%3D11/data.csv';
    const expected = { kind: 's3', records: [{ bucket: 'seller-feeds', key: 'feeds/BillingEventFeed_V1/year=2026/month=11/data.csv', size: 42, etag: 'abc', eventName: 'ObjectCreated:Put' }] };
    expect(classifyMessage(JSON.stringify(s3Event(key)), 'm1')).toEqual(expected);
    expect(classifyMessage(JSON.stringify(envelope(s3Event(key))), 'm1')).toEqual(expected);
    expect(classifyMessage(JSON.stringify(s3Event('old+reports/daily_business_fees_2018-05-24.csv')), 'm1')).toMatchObject({ records: [{ key: 'old reports/daily_business_fees_2018-05-24.csv' }] });
    expect(classifyMessage(JSON.stringify(s3Event('x.csv', 'ObjectRemoved:Delete')), 'm1')).toEqual({ kind: 's3', records: [] });
    expect(classifyMessage(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' }), 'm1')).toEqual({ kind: 's3-test' });
  });

  it('reads S3 events delivered through EventBridge, keys as stored', () => {
    const event = (detailType: string, object: Record<string, unknown>) => ({
      version: '0', id: 'e-1', 'detail-type': detailType, source: 'aws.s3', account: '123', time: '2026-11-01T00:00:03Z', region: 'us-east-2', resources: ['arn:aws:s3:::seller-feeds'],
      detail: { version: '0', bucket: { name: 'seller-feeds' }, object, 'request-id': 'R', requester: 'reports.marketplace.amazonaws.com', reason: 'PutObject' },
    });
    const key = 'BillingEventFeed_V1/year=2026/month=11/data.csv';
    expect(classifyMessage(JSON.stringify(event('Object Created', { key, size: 42, etag: 'abc', sequencer: '1' })), 'm1')).toEqual({
      kind: 's3',
      records: [{ bucket: 'seller-feeds', key, size: 42, etag: 'abc', eventName: 'ObjectCreated:PutObject' }],
    });
    expect(classifyMessage(JSON.stringify(event('Object Deleted', { key })), 'm1')).toEqual({ kind: 's3', records: [] });
    expect(classifyMessage(JSON.stringify(event('Object Created', { size: 1 })), 'm1')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('detail.object.key') });
  });

  it('reads the SDDS delivery notification', () => {
    const body = { mainExecutionId: 'main-1', executionId: 'exec-1', subscriptionId: 's', processedFiles: [], executionStatus: 'SKIPPED', errors: [], feedType: 'BillingEventFeed_V1' };
    expect(classifyMessage(JSON.stringify(envelope(body)), 'm1')).toMatchObject({ kind: 'sdds', status: 'SKIPPED', dataset: 'sdds_billing_event', notificationId: 'sdds:exec-1:BillingEventFeed_V1' });
    expect(classifyMessage(JSON.stringify({ ...body, executionStatus: 'FAILED', errors: ['boom'] }), 'm1')).toMatchObject({ status: 'FAILED', message: '["boom"]' });
  });

  it('reads CAS GenerateDataSet notifications, success and failure', () => {
    const ok = { dataSetS3Location: { bucketName: 'b', key: 'p/daily_business_fees_2024-05-24.csv' }, dataSetMetaDataS3Location: { bucketName: 'b', key: 'p/daily_business_fees_2024-05-24.meta.json' }, dataSetRequestId: 'r-1', success: true };
    expect(classifyMessage(JSON.stringify(envelope(ok)), 'm')).toMatchObject({ kind: 'cas', success: true, data: { bucket: 'b', key: 'p/daily_business_fees_2024-05-24.csv' } });
    expect(classifyMessage(JSON.stringify({ dataSetRequestId: 'r-2', success: 'false', message: 'no data' }), 'm')).toMatchObject({ kind: 'cas', success: false, data: null, message: 'no data' });
  });

  it('reads EventBridge Marketplace events and legacy SNS notifications', () => {
    const event = {
      version: '0', id: 'evt-1', 'detail-type': 'Purchase Agreement Created - Proposer', source: 'aws.agreement-marketplace', account: '123', time: '2024-08-30T21:36:03Z', region: 'us-east-1', resources: [],
      detail: { requestId: 'rq', agreement: { id: 'agmt-1', intent: 'NEW' }, acceptor: { accountId: '845735284135' }, product: { id: 'prod-1' } },
    };
    expect(classifyMessage(JSON.stringify(event), 'm')).toMatchObject({ kind: 'event', event: { eventId: 'evt-1', kind: 'Purchase Agreement Created', role: 'Proposer', agreementId: 'agmt-1', acceptorAccountId: '845735284135', productId: 'prod-1' } });
    // AWS's own example has a trailing comma inside Message
    const legacy = envelope('{\n "action": "unsubscribe-pending",\n "customer-identifier": " X01EXAMPLEX",\n "product-code": "n0123",\n}');
    expect(classifyMessage(JSON.stringify(legacy), 'm')).toMatchObject({ kind: 'event', event: { eventId: 'sns-1', source: 'aws-mp-sns', kind: 'unsubscribe-pending' } });
  });

  it('says why it does not understand a message', () => {
    expect(classifyMessage('not json', 'm')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('not JSON') });
    expect(classifyMessage('{"hello":"world"}', 'm')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('keys: hello') });
    expect(classifyMessage(JSON.stringify(envelope('{{')), 'm')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('Message is not JSON') });
    expect(classifyMessage(JSON.stringify({ Records: [{ s3: {} }] }), 'm')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('record 0') });
    expect(classifyMessage(JSON.stringify({ 'detail-type': 'x', source: 'com.example' }), 'm')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('not AWS Marketplace') });
  });
});

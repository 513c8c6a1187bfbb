/**
 * What an SQS message body means. One queue may carry S3 event notifications (raw or in an SNS
 * envelope), SDDS delivery notifications, CAS GenerateDataSet results, EventBridge Marketplace
 * events and legacy Marketplace SNS notifications (marketplace-events.md §3).
 */
import { getDataset } from '../datasets/catalog.ts';

export interface S3Record {
  bucket: string;
  key: string;
  size: number | null;
  etag: string | null;
  eventName: string;
}

export interface MarketplaceEvent {
  eventId: string;
  requestId: string | null;
  source: string;
  detailType: string;
  kind: string;
  role: string | null;
  agreementId: string | null;
  productId: string | null;
  acceptorAccountId: string | null;
  eventTime: string | null;
  body: unknown;
}

export type Message =
  | { kind: 's3'; records: S3Record[] }
  | { kind: 's3-test' }
  | { kind: 'sdds'; notificationId: string; status: 'COMPLETED' | 'SKIPPED' | 'FAILED'; feedType: string; dataset: string | null; body: unknown; message: string | null }
  | { kind: 'cas'; notificationId: string; success: boolean; requestId: string; data: { bucket: string; key: string } | null; meta: { bucket: string; key: string } | null; message: string | null; body: unknown }
  | { kind: 'event'; event: MarketplaceEvent }
  | { kind: 'unknown'; reason: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** JSON, forgiving the trailing commas AWS's own SNS examples show. */
function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.replace(/,(\s*[}\]])/g, '$1'));
  }
}

/** Classifies a message body; `messageId` is the SQS message id (used when the body has none). */
export function classifyMessage(body: string, messageId: string): Message {
  let doc: unknown;
  try {
    doc = parseLenient(body);
  } catch (error) {
    return { kind: 'unknown', reason: `the body is not JSON (${(error as Error).message})` };
  }
  return classify(doc, messageId);
}

function classify(doc: unknown, id: string): Message {
  if (!isObject(doc)) return { kind: 'unknown', reason: 'the body is JSON but not an object' };

  // SNS envelope (raw delivery off): the payload is a JSON string in Message
  if (doc.Type === 'Notification' && 'Message' in doc) {
    const inner = doc.Message;
    const envelopeId = str(doc.MessageId) ?? id;
    if (isObject(inner)) return classify(inner, envelopeId);
    if (typeof inner !== 'string') return { kind: 'unknown', reason: 'an SNS envelope whose Message is neither a string nor an object' };
    try {
      return classify(parseLenient(inner), envelopeId);
    } catch (error) {
      return { kind: 'unknown', reason: `an SNS envelope whose Message is not JSON (${(error as Error).message})` };
    }
  }

  if (doc.Event === 's3:TestEvent') return { kind: 's3-test' };
  if (Array.isArray(doc.Records)) return s3Event(doc.Records);
  if ('detail-type' in doc && doc.source === 'aws.s3') return s3EventBridge(doc);
  if ('detail-type' in doc) return eventBridge(doc, id);
  if ('executionStatus' in doc && 'feedType' in doc) return sddsNotification(doc);
  if ('dataSetRequestId' in doc && 'success' in doc) return casNotification(doc);
  if ('action' in doc || 'Action' in doc) return legacySns(doc, id);
  return { kind: 'unknown', reason: `not a message marketplace-pulse understands (keys: ${Object.keys(doc).slice(0, 8).join(', ')})` };
}

function s3Event(records: unknown[]): Message {
  const out: S3Record[] = [];
  for (const [i, r] of records.entries()) {
    const s3 = isObject(r) && isObject(r.s3) ? r.s3 : null;
    const bucket = s3 && isObject(s3.bucket) ? str(s3.bucket.name) : null;
    const object = s3 && isObject(s3.object) ? s3.object : null;
    const rawKey = object ? str(object.key) : null;
    if (!bucket || !rawKey || !object) return { kind: 'unknown', reason: `S3 event record ${i} has no s3.bucket.name or s3.object.key` };
    const eventName = isObject(r) ? (str(r.eventName) ?? '') : '';
    if (!eventName.startsWith('ObjectCreated')) continue; // deletions and the like change nothing we store
    let key: string;
    try {
      // S3 event keys are URL-encoded with '+' for spaces
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    } catch {
      return { kind: 'unknown', reason: `S3 event record ${i} has a key that is not URL-encoded: ${rawKey}` };
    }
    out.push({
      bucket,
      key,
      size: typeof object.size === 'number' ? object.size : null,
      etag: str(object.eTag) ?? str(object.etag),
      eventName,
    });
  }
  return { kind: 's3', records: out };
}

/**
 * An S3 event through EventBridge (the bucket's "Amazon EventBridge notifications" on, a rule
 * for `aws.s3` "Object Created"): one object per event, its key as stored (not URL-encoded, unlike
 * S3's own notifications). Other S3 events (deletions, restores) change nothing we store.
 */
function s3EventBridge(doc: Json): Message {
  if (doc['detail-type'] !== 'Object Created') return { kind: 's3', records: [] };
  const detail = isObject(doc.detail) ? doc.detail : {};
  const bucket = isObject(detail.bucket) ? str(detail.bucket.name) : null;
  const object = isObject(detail.object) ? detail.object : null;
  const key = object && typeof object.key === 'string' && object.key !== '' ? object.key : null;
  if (!bucket || !key || !object) return { kind: 'unknown', reason: 'an S3 "Object Created" event without detail.bucket.name or detail.object.key' };
  return {
    kind: 's3',
    records: [{ bucket, key, size: typeof object.size === 'number' ? object.size : null, etag: str(object.etag), eventName: `ObjectCreated:${str(detail.reason) ?? 'EventBridge'}` }],
  };
}

const SDDS_STATUSES = new Set(['COMPLETED', 'SKIPPED', 'FAILED']);

function sddsNotification(doc: Json): Message {
  const status = str(doc.executionStatus)?.toUpperCase();
  const feedType = str(doc.feedType);
  if (!status || !SDDS_STATUSES.has(status) || !feedType) {
    return { kind: 'unknown', reason: `an SDDS notification with executionStatus "${String(doc.executionStatus)}" and feedType "${String(doc.feedType)}"` };
  }
  const executionId = str(doc.executionId) ?? str(doc.mainExecutionId);
  if (!executionId) return { kind: 'unknown', reason: 'an SDDS notification without executionId' };
  const dataset = getDataset(feedType) ?? getDataset(feedType.replace(/_V\d+$/i, '') + '_V1') ?? null;
  const errors = Array.isArray(doc.errors) && doc.errors.length > 0 ? JSON.stringify(doc.errors) : null;
  return {
    kind: 'sdds',
    notificationId: `sdds:${executionId}:${feedType}`,
    status: status as 'COMPLETED' | 'SKIPPED' | 'FAILED',
    feedType,
    dataset: dataset?.source === 'sdds' ? dataset.name : null,
    body: doc,
    message: errors,
  };
}

function location(v: unknown): { bucket: string; key: string } | null {
  if (!isObject(v)) return null;
  const bucket = str(v.bucketName);
  const key = str(v.key);
  return bucket && key ? { bucket, key } : null;
}

function casNotification(doc: Json): Message {
  const requestId = str(doc.dataSetRequestId);
  if (!requestId) return { kind: 'unknown', reason: 'a CAS notification without dataSetRequestId' };
  const success = doc.success === true || (typeof doc.success === 'string' && doc.success.toLowerCase() === 'true');
  const data = location(doc.dataSetS3Location);
  if (success && !data) return { kind: 'unknown', reason: `CAS notification ${requestId} reports success but has no dataSetS3Location` };
  return {
    kind: 'cas',
    notificationId: `cas:${requestId}:${success ? 'ok' : 'failed'}`,
    success,
    requestId,
    data,
    meta: location(doc.dataSetMetaDataS3Location),
    message: str(doc.message),
    body: doc,
  };
}

const ROLE = / - (Proposer|Manufacturer|Acceptor)$/;

function eventBridge(doc: Json, id: string): Message {
  const detailType = str(doc['detail-type']);
  const source = str(doc.source);
  if (!detailType || !source) return { kind: 'unknown', reason: 'an EventBridge event without detail-type or source' };
  if (!source.startsWith('aws.')) return { kind: 'unknown', reason: `an EventBridge event from ${source}, not AWS Marketplace` };
  const detail = isObject(doc.detail) ? doc.detail : {};
  const agreement = isObject(detail.agreement) ? detail.agreement : {};
  const product = isObject(detail.product) ? detail.product : {};
  const acceptor = isObject(detail.acceptor) ? detail.acceptor : {};
  const role = ROLE.exec(detailType)?.[1] ?? null;
  return {
    kind: 'event',
    event: {
      eventId: str(doc.id) ?? id,
      requestId: str(detail.requestId),
      source,
      detailType,
      kind: detailType.replace(ROLE, ''),
      role,
      agreementId: str(agreement.id),
      productId: str(product.id) ?? str(agreement.productId),
      acceptorAccountId: str(acceptor.accountId) ?? str(agreement.acceptorId),
      eventTime: str(doc.time),
      body: doc,
    },
  };
}

function legacySns(doc: Json, id: string): Message {
  const action = str(doc.action) ?? str(doc.Action);
  if (!action) return { kind: 'unknown', reason: 'a Marketplace SNS notification without an action' };
  return {
    kind: 'event',
    event: {
      eventId: id,
      requestId: null,
      source: 'aws-mp-sns',
      detailType: action,
      kind: action,
      role: null,
      // these carry a product code and a customer identifier, not IDs: they stay in the body
      agreementId: null,
      productId: null,
      acceptorAccountId: null,
      eventTime: null,
      body: doc,
    },
  };
}

/**
 * A local Slack: the Web API methods marketplace-pulse calls (recorded, answered as Slack would),
 * the response_url endpoint, the file upload URL, and correctly (or wrongly) signed requests to
 * an app's /slack/events.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
}

export interface SlackDouble {
  /** Web API base for SLACK_API_URL. */
  apiUrl: string;
  calls: ApiCall[];
  /** What was posted to response URLs, by the id in the URL. */
  responses: Array<{ id: string; body: Record<string, unknown> }>;
  uploads: Array<{ fileId: string; bytes: Buffer }>;
  responseUrl(id: string): string;
  /** users.info answers: who is an admin, and profile email addresses. */
  admins: Set<string>;
  emails: Map<string, string>;
  usergroups: Map<string, string[]>;
  callsTo(method: string): ApiCall[];
  /** Trouble to play: every Web API call answered with this error (e.g. invalid_auth), or never answered. */
  trouble: { error: string } | 'no answer' | null;
  stop(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Form fields as Slack's SDK sends them: JSON-looking values (blocks, files) parsed. */
function parseArgs(raw: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (contentType?.includes('application/json')) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    try {
      out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
    } catch {
      out[k] = v;
    }
  }
  return out;
}

/** The file in a multipart/form-data upload (what files.uploadV2 sends), or the raw body. */
function fileContent(raw: Buffer, contentType: string | undefined): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (!boundary) return raw;
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = raw.indexOf(marker);
  const headersEnd = raw.indexOf('\r\n\r\n', start);
  const next = raw.indexOf(marker, headersEnd);
  return raw.subarray(headersEnd + 4, next - 2);
}

export async function startSlackDouble(): Promise<SlackDouble> {
  const calls: ApiCall[] = [];
  const responses: SlackDouble['responses'] = [];
  const uploads: SlackDouble['uploads'] = [];
  const admins = new Set<string>();
  const emails = new Map<string, string>();
  const usergroups = new Map<string, string[]>();
  let ts = 1_700_000_000;
  let files = 0;
  let base = '';
  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await body(req);
      const url = new URL(req.url ?? '/', base);
      const json = (status: number, payload: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      if (url.pathname.startsWith('/respond/')) {
        responses.push({ id: url.pathname.slice('/respond/'.length), body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> });
        return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }
      if (url.pathname.startsWith('/upload/')) {
        uploads.push({ fileId: url.pathname.slice('/upload/'.length), bytes: fileContent(raw, req.headers['content-type']) });
        return res.writeHead(200, { 'content-type': 'text/plain' }).end('OK - ' + raw.length);
      }
      if (!url.pathname.startsWith('/api/')) return json(404, { ok: false, error: 'unknown_path' });
      const method = url.pathname.slice('/api/'.length);
      const args = parseArgs(raw, req.headers['content-type']);
      const token = req.headers.authorization?.replace(/^Bearer /, '');
      calls.push({ method, args, token });
      if (double.trouble === 'no answer') return; // the request hangs until the client gives up
      if (double.trouble) return json(200, { ok: false, error: double.trouble.error });
      switch (method) {
        case 'auth.test':
          return json(200, { ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'pulse', team_id: 'T0001', user_id: 'UBOT', bot_id: 'BBOT' });
        case 'chat.postMessage':
          return json(200, { ok: true, channel: args.channel, ts: `${++ts}.000100`, message: { text: args.text } });
        case 'users.info': {
          const user = String(args.user);
          return json(200, { ok: true, user: { id: user, is_admin: admins.has(user), is_owner: false, profile: emails.has(user) ? { email: emails.get(user) } : {} } });
        }
        case 'usergroups.users.list':
          return json(200, { ok: true, users: usergroups.get(String(args.usergroup)) ?? [] });
        case 'conversations.open':
          return json(200, { ok: true, channel: { id: `D${String(args.users).slice(1)}` } });
        case 'files.getUploadURLExternal': {
          const id = `F${++files}`;
          return json(200, { ok: true, upload_url: `${base}/upload/${id}`, file_id: id });
        }
        case 'files.completeUploadExternal':
          return json(200, { ok: true, files: (args.files as Array<{ id: string; title?: string }>).map((f) => ({ id: f.id, title: f.title })) });
        default:
          return json(200, { ok: false, error: 'unknown_method' });
      }
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  const double: SlackDouble = {
    trouble: null,
    apiUrl: `${base}/api/`,
    calls,
    responses,
    uploads,
    responseUrl: (id) => `${base}/respond/${id}`,
    admins,
    emails,
    usergroups,
    callsTo: (method) => calls.filter((c) => c.method === method),
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return double;
}

export const SIGNING_SECRET = 'test-signing-secret-8f2a';

export interface CommandFields {
  text: string;
  user_id?: string;
  channel_id?: string;
  channel_name?: string;
  response_url: string;
}

/** POSTs a slash command to `url` signed as Slack signs it (v0, HMAC-SHA256 over ts and body). */
export async function postCommand(url: string, fields: CommandFields, o: { secret?: string; timestamp?: number } = {}): Promise<{ status: number; text: string }> {
  const form = new URLSearchParams({
    token: 'deprecated',
    team_id: 'T0001',
    team_domain: 'example',
    channel_id: fields.channel_id ?? 'C0FINANCE',
    channel_name: fields.channel_name ?? 'finance',
    user_id: fields.user_id ?? 'UFINANCE',
    user_name: 'fin',
    command: '/marketplace',
    text: fields.text,
    api_app_id: 'A0001',
    response_url: fields.response_url,
    trigger_id: '1.2.3',
  }).toString();
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = 'v0=' + createHmac('sha256', o.secret ?? SIGNING_SECRET).update(`v0:${timestamp}:${form}`).digest('hex');
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature },
    body: form,
  });
  return { status: r.status, text: await r.text() };
}

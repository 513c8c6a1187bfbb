/**
 * Sending mail: SMTP through nodemailer when SMTP_URL is set; otherwise (the embedded default)
 * each message is written to DATA_DIR/outbox as the .eml that would have been sent and its .html,
 * and the log says where.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmailSettings } from '../config.ts';
import { htmlForBrowser } from './inline-charts.ts';
import type { RenderedEmail } from './render.ts';

export interface Sent {
  messageId: string;
  /** "smtp host:port" or the .eml path. */
  where: string;
  /** Recipients the mail server refused while accepting the others, with its reason. */
  refused: Array<{ address: string; reason: string }>;
}

export interface Mailer {
  send(to: string[], email: RenderedEmail, headers?: Record<string, string>): Promise<Sent>;
  close(): void;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);

/**
 * The mailer for these settings. nodemailer loads with the first message: most processes (a CLI
 * command, a service whose digests are hours away) never send one.
 */
export function createMailer(settings: EmailSettings): Mailer {
  type Transport = import('nodemailer').Transporter;
  let transport: Promise<Transport> | null = null;
  const open = (options: Parameters<typeof import('nodemailer').createTransport>[0]) =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options) as Transport));
  const close = () => void transport?.then((t) => t.close());
  if (settings.smtpUrl) {
    const url = new URL(settings.smtpUrl);
    return {
      async send(to, email, headers = {}) {
        const t = await open(settings.smtpUrl!);
        const info = await t.sendMail({ from: settings.from, to, subject: email.subject, html: email.html, text: email.text, attachments: email.attachments, headers });
        // a server may refuse some recipients (550 no such user) and take the message for the rest
        const errors = ((info as { rejectedErrors?: Array<{ recipient?: string; response?: string; message?: string }> }).rejectedErrors ?? []);
        const refused = (info.rejected ?? []).map((r) => {
          const address = typeof r === 'string' ? r : (r as { address: string }).address;
          const e = errors.find((x) => x.recipient === address);
          return { address, reason: (e?.response ?? e?.message ?? 'refused').trim() };
        });
        return { messageId: info.messageId, where: `smtp ${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`, refused };
      },
      close,
    };
  }
  return {
    async send(to, email, headers = {}) {
      const t = await open({ streamTransport: true, buffer: true, newline: 'unix' });
      const info = await t.sendMail({ from: settings.from, to, subject: email.subject, html: email.html, text: email.text, attachments: email.attachments, headers });
      await mkdir(settings.outboxDir, { recursive: true });
      const base = path.join(settings.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${slug(email.subject)}`);
      await writeFile(`${base}.eml`, (info as unknown as { message: Buffer }).message);
      await writeFile(`${base}.html`, htmlForBrowser(email));
      return { messageId: info.messageId, where: `${base}.eml`, refused: [] };
    },
    close,
  };
}

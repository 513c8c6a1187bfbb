/**
 * The service's one logger. Every line names its component and, where there is one, the file,
 * queue message, digest or Slack request it is about. JSON (pino) for a log collector; on a
 * terminal the same lines as text. Secrets never reach it: URLs lose their passwords and tokens
 * are masked, whatever a message or an error says.
 */
export type Component = 'service' | 'database' | 'http' | 'ingest' | 'inbox' | 'sqs' | 'slack' | 'email' | 'scheduler' | 'deliveries' | 'rollups';
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  component?: Component;
  level?: Level;
  /** The object key or file a line is about. */
  key?: string;
  messageId?: string;
  digestId?: string;
  slackRequestId?: string;
  [field: string]: unknown;
}

/** Writes one line: a message for people and the fields a machine filters on. */
export type Log = (message: string, fields?: LogFields) => void;

/** A log whose lines all carry these fields (a component, a message id). */
export function withFields(log: Log, fields: LogFields): Log {
  return (message, more) => log(message, more ? { ...fields, ...more } : fields);
}

const LEVELS: Level[] = ['debug', 'info', 'warn', 'error'];

export function isLevel(value: string): value is Level {
  return (LEVELS as string[]).includes(value);
}

/**
 * Masks what must never be logged: the password in any URL (a DATABASE_URL or SMTP_URL in an
 * error), Slack tokens, and AWS secret keys named as such.
 */
export function scrub(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*):[^@/?#\s]*@/gi, '$1:***@')
    .replace(/\bxox[a-z]-[A-Za-z0-9-]+/g, (t) => `${t.slice(0, 5)}***`)
    .replace(/\bxapp-[A-Za-z0-9-]+/g, 'xapp-***')
    .replace(/((?:aws_)?secret_?access_?key["'=:\s]+)[A-Za-z0-9/+=]{20,}/gi, '$1***');
}

/** A message and its fields as one line of text: `sqs: message 1: … (key=…)`, without a time. */
export function formatText(message: string, fields: LogFields = {}): string {
  const { component, level: _level, ...rest } = fields;
  const details = Object.entries(rest)
    // what the message already says (a key, a dataset) is not repeated
    .filter(([, v]) => v !== undefined && v !== null && v !== '' && !(typeof v === 'string' && message.includes(v)))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return scrub(`${component && component !== 'service' ? `${component}: ` : ''}${message}${details.length ? ` (${details.join(', ')})` : ''}`);
}

/** Collects lines as text (tests, and the CLI's own messages). */
export function textLog(write: (line: string) => void): Log {
  return (message, fields) => write(formatText(message, fields));
}

export interface LogOptions {
  format: 'json' | 'pretty';
  level: Level;
  /** Writes one line (no newline at its end): the CLI's standard error. */
  write: (line: string) => void;
}

/**
 * The service's log. JSON lines through pino (`{"level":"info","time":…,"component":"sqs",
 * "msg":…,"messageId":…}`), or, for a person, `HH:MM:SS component: message (fields)`.
 */
export async function createServiceLog(options: LogOptions): Promise<Log> {
  const order = LEVELS.indexOf(options.level);
  if (options.format === 'pretty') {
    return (message, fields = {}) => {
      const level = fields.level ?? 'info';
      if (LEVELS.indexOf(level) < order) return;
      options.write(`${new Date().toISOString().slice(11, 19)}${level === 'warn' ? ' WARN' : level === 'error' ? ' ERROR' : ''} ${formatText(message, fields)}`);
    };
  }
  const { pino } = await import('pino');
  const logger = pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // fields named like secrets are never written, whoever passes them
      redact: { paths: ['password', 'token', 'secret', 'authorization', 'databaseUrl', 'smtpUrl', '*.password', '*.token', '*.secret'], censor: '***' },
    },
    { write: (chunk: string) => options.write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) },
  );
  return (message, fields = {}) => {
    const { level = 'info', ...rest } = fields;
    for (const [k, v] of Object.entries(rest)) if (typeof v === 'string') rest[k] = scrub(v);
    logger[level](rest, scrub(message));
  };
}

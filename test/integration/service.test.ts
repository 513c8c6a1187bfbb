/** The service on the embedded default, as the Quick start runs it: demo data first, then the inbox. */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { runService } from '../../src/service.ts';
import { putFile, tempDir } from '../support/files.ts';
import { until } from '../support/wait.ts';
import { postCommand, SIGNING_SECRET, startSlackDouble } from '../support/slack.ts';
import { textLog } from '../../src/log.ts';


describe('marketplace-pulse serve (embedded)', () => {
  const stops: Array<() => void> = [];
  afterAll(() => stops.forEach((s) => s()));

  it('loads the demo seller on first start, ingests inbox files, and does neither twice after a restart', async () => {
    const dataDir = await tempDir('mp-serve-');
    const config = loadConfig({ DATA_DIR: dataDir, INBOX_POLL_SECONDS: '1', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' });
    const start = () => {
      const log: string[] = [];
      let stop!: () => void;
      const stopSignal = new Promise<void>((r) => (stop = r));
      stops.push(stop);
      const done = runService(config, { log: textLog((l) => log.push(l)), stopSignal });
      return { log, stop, done };
    };

    const first = start();
    await until(() => first.log.some((l) => l.startsWith('inbox: watching')), 'the inbox watcher', 60_000);
    expect(first.log.join('\n')).toMatch(/DEMO DATA loaded: \d+ files, \d+ rows/);
    expect(first.log.join('\n')).toContain('npx marketplace-pulse ingest');
    // the first delivery check looks at the demo seller, not at the empty database before it
    await until(() => first.log.some((l) => l.startsWith('deliveries:')), 'the first delivery check');
    expect(first.log.findIndex((l) => l.startsWith('deliveries:'))).toBeGreaterThan(first.log.findIndex((l) => l.startsWith('DEMO DATA loaded')));
    const url = /health check: (http:\S+)/.exec(first.log.join('\n'))![1]!;
    const health = await fetch(url);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok', source: 'inbox' });
    expect((await fetch(url.replace('/healthz', '/nope'))).status).toBe(404);

    await putFile(config.inboxDir, 'OfferFeed_V1/year=2026/month=11/data.csv', 'valid_from,offer_id,offer_revision,name\n2026-11-20T00:00:00Z,offer-inbox,1,From the inbox\n');
    await putFile(config.inboxDir, 'OfferFeed_V1/year=2026/month=12/data.csv', 'valid_from,offer_id,offer_revision,name\n2026-12-01T00:00:00Z,offer-bad,x,Bad\n');
    await until(() => first.log.some((l) => l.startsWith('ingest: loaded OfferFeed_V1/year=2026/month=11/data.csv')), 'the inbox file to load');
    await until(() => first.log.some((l) => l.startsWith('ingest: rejected OfferFeed_V1/year=2026/month=12/data.csv')), 'the bad inbox file to be rejected');
    expect(first.log.find((l) => l.startsWith('ingest: rejected'))).toContain('offer_revision "x" is not a whole number');
    first.stop();
    await first.done;
    expect(first.log.at(-1)).toBe('stopped');

    const second = start();
    await until(() => second.log.some((l) => l.startsWith('inbox: watching')), 'the restarted watcher', 60_000);
    await new Promise((r) => setTimeout(r, 2500)); // two polls
    second.stop();
    await second.done;
    expect(second.log.join('\n')).not.toContain('DEMO DATA');
    expect(second.log.filter((l) => l.startsWith('ingest: loaded'))).toEqual([]);
  });
});

describe('marketplace-pulse serve with Slack', () => {
  it('answers /marketplace on its own listener and says Slack is on', async () => {
    const double = await startSlackDouble();
    const dataDir = await tempDir('mp-serve-slack-');
    const config = loadConfig({
      DATA_DIR: dataDir,
      DEMO_DATA: 'off',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      SLACK_BOT_TOKEN: 'xoxb-service-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: double.apiUrl,
      SLACK_ALERT_CHANNEL: 'C0ALERTS',
    });
    const log: string[] = [];
    let stop!: () => void;
    const done = runService(config, { log: textLog((l) => log.push(l)), stopSignal: new Promise<void>((r) => (stop = r)) });
    try {
      await until(() => log.some((l) => l.startsWith('inbox: watching')), 'the service to start', 60_000);
      expect(log).toContain('slack: Slack on (HTTP: POST /slack/events, Web API ' + double.apiUrl + '); alerts: delivery -> C0ALERTS, rejected -> C0ALERTS, subscribers -> C0ALERTS');
      const base = /health check: (http:\/\/[^/]+)/.exec(log.join('\n'))![1]!;
      const help = await postCommand(`${base}/slack/events`, { text: 'help', channel_id: 'D0ME', channel_name: 'directmessage', response_url: double.responseUrl('svc-help') });
      expect(help.status).toBe(200);
      expect(JSON.parse(help.text).text).toBe('marketplace-pulse commands');
      await postCommand(`${base}/slack/events`, { text: 'revenue last-month', channel_id: 'D0ME', channel_name: 'directmessage', response_url: double.responseUrl('svc-revenue') });
      const reply = await until(() => double.responses.find((r) => r.id === 'svc-revenue'), 'the revenue answer');
      expect(String(reply.body.text)).toMatch(/^Billed revenue, \w+ \d{4}: No data for/);
      // a new install has nothing delivered yet: one alert listing what never arrived, not one per dataset
      const posted = await until(() => double.callsTo('chat.postMessage').length > 0 && double.callsTo('chat.postMessage'), 'the delivery alert');
      expect(posted).toHaveLength(1);
      expect(posted[0]!.args).toMatchObject({ channel: 'C0ALERTS', text: expect.stringMatching(/^:grey_question: \d+ expected datasets have never arrived: sdds_account, /) });
    } finally {
      stop();
      await done;
      await double.stop();
    }
  });
});

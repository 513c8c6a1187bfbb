/**
 * Slack trouble degrades Slack only: a token Slack rejects, or an API that never answers, leaves
 * ingest and health working, is said clearly, and never keeps the service from stopping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csv, putFile, tempDir } from '../support/files.ts';
import { killAll, startProcess } from '../support/processes.ts';
import { postCommand, SIGNING_SECRET, startSlackDouble, type SlackDouble } from '../support/slack.ts';
import { until } from '../support/wait.ts';

const OFFER = csv([['valid_from', 'offer_id', 'offer_revision', 'name'], ['2026-11-01T00:00:00Z', 'offer-1', '1', 'Public']]);

async function healthOf(url: string): Promise<{ status: number; body: { status: string; slack: { state: string; detail: string | null } | null } }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return { status: r.status, body: (await r.json()) as never };
}

describe('serve with Slack in trouble', () => {
  let double: SlackDouble;
  beforeAll(async () => {
    double = await startSlackDouble();
  });
  afterAll(async () => {
    killAll();
    await double.stop();
  });

  it('a bot token Slack rejects: the service keeps ingesting, says what to fix, answers commands, and stops on SIGTERM', { timeout: 90_000 }, async () => {
    double.trouble = { error: 'invalid_auth' };
    const dataDir = await tempDir('mp-slack-bad-');
    const service = startProcess(['serve'], {
      DATA_DIR: dataDir,
      DEMO_DATA: 'off',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      INBOX_POLL_SECONDS: '1',
      SLACK_BOT_TOKEN: 'xoxb-revoked',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: double.apiUrl,
      SLACK_ALERT_CHANNEL: 'C0ALERTS',
    });
    const url = (await service.waitFor(/health check: (http:\S+)/, 'the service to start'))[1]!;
    await service.waitFor(/slack: Slack rejected the bot token \(invalid_auth\): set SLACK_BOT_TOKEN/, 'the token problem to be logged');
    // Bolt's own start-up check used to end the process about 9 s in
    await new Promise((r) => setTimeout(r, 12_000));
    expect(service.child.exitCode).toBeNull();
    const h = await healthOf(url);
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('degraded');
    expect(h.body.slack).toMatchObject({ state: 'failing', detail: expect.stringContaining('invalid_auth') });

    await putFile(`${dataDir}/inbox`, 'OfferFeed_V1/year=2026/month=11/data.csv', OFFER);
    await service.waitFor(/loaded OfferFeed_V1\/year=2026\/month=11\/data.csv/, 'ingest to go on');
    // slash commands are answered through response_url, which needs no token
    const help = await postCommand(url.replace('/healthz', '/slack/events'), { text: 'help', channel_id: 'D0ME', channel_name: 'directmessage', response_url: double.responseUrl('bad-token') });
    expect(help.status).toBe(200);
    expect(help.text).toContain('/marketplace');

    const stopping = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect(service.output()).not.toMatch(/Unhandled|UnhandledPromiseRejection/);
  });

  it('a Slack API that never answers (Socket Mode): the service starts, stays healthy for ingest, and SIGTERM ends it within 10 s', { timeout: 90_000 }, async () => {
    double.trouble = 'no answer';
    const dataDir = await tempDir('mp-slack-hang-');
    const service = startProcess(['serve'], {
      DATA_DIR: dataDir,
      DEMO_DATA: 'off',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      INBOX_POLL_SECONDS: '1',
      SLACK_BOT_TOKEN: 'xoxb-fine',
      SLACK_APP_TOKEN: 'xapp-fine',
      SLACK_API_URL: double.apiUrl,
    });
    const url = (await service.waitFor(/health check: (http:\S+)/, 'the service to start'))[1]!;
    await service.waitFor(/inbox: watching /, 'the inbox watcher');
    await until(async () => (await healthOf(url)).status === 200, 'health');
    expect((await healthOf(url)).body.slack).toMatchObject({ state: 'connecting' });
    await putFile(`${dataDir}/inbox`, 'OfferFeed_V1/year=2026/month=11/data.csv', OFFER);
    await service.waitFor(/loaded OfferFeed_V1\/year=2026\/month=11\/data.csv/, 'ingest to go on');

    const stopping = Date.now();
    service.child.kill('SIGTERM');
    const code = await Promise.race([service.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 10_000))]);
    expect(code, service.output()).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);
  });
});

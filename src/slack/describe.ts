import type { SlackSettings } from '../config.ts';

/** One log line: how Slack is set up, or what to set to turn it on. */
export function describeSlack(settings: SlackSettings | null): string {
  if (!settings) return 'Slack off: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP, requests at /slack/events) or SLACK_APP_TOKEN (Socket Mode); see README, Slack';
  const alerts = Object.entries(settings.alertChannels).filter(([, c]) => c).map(([k, c]) => `${k} -> ${c}`);
  return `Slack on (${settings.mode === 'http' ? 'HTTP: POST /slack/events' : 'Socket Mode'}${settings.apiUrl ? `, Web API ${settings.apiUrl}` : ''}); alerts: ${alerts.length ? alerts.join(', ') : 'off (set SLACK_ALERT_CHANNEL)'}`;
}

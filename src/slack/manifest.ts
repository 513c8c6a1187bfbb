/**
 * The Slack app manifest (https://api.slack.com/reference/manifests), built from the command
 * definitions so the slash command's hint never drifts from what it understands.
 * `marketplace-pulse slack-manifest --url https://your-host` prints it; slack-app-manifest.json in
 * the repository is the same with a placeholder host.
 */
import { SUBCOMMANDS } from './commands.ts';

export const MANIFEST_PLACEHOLDER_URL = 'https://YOUR-HOST';

export function slackManifest(options: { url?: string; socketMode?: boolean } = {}): Record<string, unknown> {
  const base = (options.url ?? MANIFEST_PLACEHOLDER_URL).replace(/\/$/, '');
  const requestUrl = `${base}/slack/events`;
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: 'marketplace-pulse',
      description: 'Your AWS Marketplace numbers: revenue, subscribers, usage, collections, disbursements, past-due.',
      background_color: '#232f3e',
    },
    features: {
      bot_user: { display_name: 'marketplace-pulse', always_online: true },
      slash_commands: [
        {
          command: '/marketplace',
          ...(options.socketMode ? {} : { url: requestUrl }),
          description: 'Marketplace numbers: revenue, subscribers, usage, past-due, exports',
          usage_hint: SUBCOMMANDS.slice(0, 4).map((s) => s.examples[0]).join(' | ') + ' | help',
          should_escape: false,
        },
      ],
    },
    oauth_config: {
      scopes: {
        bot: [
          'commands', // /marketplace
          'chat:write', // alerts
          'chat:write.public', // alerts into public channels the app was not invited to
          'files:write', // exports (files.uploadV2)
          'im:write', // exports to a direct message (conversations.open)
          'users:read', // who is a workspace admin, when no allow list is set
          'users:read.email', // /marketplace email: the requester's address
          'usergroups:read', // SLACK_ALLOWED_USERGROUPS membership
        ],
      },
    },
    settings: {
      interactivity: { is_enabled: false },
      org_deploy_enabled: false,
      socket_mode_enabled: Boolean(options.socketMode),
      token_rotation_enabled: false,
    },
  };
}

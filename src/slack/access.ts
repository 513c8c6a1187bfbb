/**
 * Who may see marketplace numbers in Slack. With SLACK_ALLOWED_USERS, _CHANNELS or _USERGROUPS
 * set, anyone on them (a listed channel gets answers everyone in it sees; listed people and
 * groups get answers only they see). With none set: direct messages with the app, and workspace
 * admins and owners, privately. Customer addresses and contact details: SLACK_PII_USERS only.
 */
import type { WebClient } from '@slack/web-api';
import type { SlackSettings } from '../config.ts';

export interface Requester {
  userId: string;
  channelId: string;
  /** Slack's channel_name: "directmessage" in a DM. */
  channelName: string | undefined;
}

export interface Verdict {
  allowed: boolean;
  /** 'channel': answer in the channel (it is on the allow list); 'private': only the requester sees it. */
  visibility: 'channel' | 'private';
  pii: boolean;
  /** Why, for the log. */
  reason: string;
}

const CACHE_MS = 5 * 60_000;

export class AccessControl {
  private readonly groups = new Map<string, { at: number; users: Set<string> }>();
  private readonly admins = new Map<string, { at: number; admin: boolean }>();

  constructor(
    private readonly settings: SlackSettings,
    private readonly client: WebClient,
  ) {}

  async check(r: Requester): Promise<Verdict> {
    const s = this.settings;
    const pii = s.piiUsers.includes(r.userId);
    const configured = s.allowedUsers.length + s.allowedChannels.length + s.allowedUsergroups.length > 0;
    if (configured) {
      if (s.allowedChannels.includes(r.channelId)) return { allowed: true, visibility: 'channel', pii, reason: `channel ${r.channelId} is allowed` };
      if (s.allowedUsers.includes(r.userId)) return { allowed: true, visibility: 'private', pii, reason: `user ${r.userId} is allowed` };
      for (const group of s.allowedUsergroups) {
        if ((await this.members(group)).has(r.userId)) return { allowed: true, visibility: 'private', pii, reason: `user ${r.userId} is in allowed group ${group}` };
      }
      return { allowed: false, visibility: 'private', pii: false, reason: `user ${r.userId} in ${r.channelId} is on no allow list` };
    }
    if (r.channelName === 'directmessage' || r.channelId.startsWith('D')) return { allowed: true, visibility: 'private', pii, reason: 'direct message (no allow list set)' };
    if (await this.isAdmin(r.userId)) return { allowed: true, visibility: 'private', pii, reason: `user ${r.userId} is a workspace admin (no allow list set)` };
    return { allowed: false, visibility: 'private', pii: false, reason: `no allow list set: only direct messages and admins; ${r.userId} in ${r.channelId} is neither` };
  }

  private async members(group: string): Promise<Set<string>> {
    const cached = this.groups.get(group);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.users;
    const r = await this.client.usergroups.users.list({ usergroup: group });
    const users = new Set(r.users ?? []);
    this.groups.set(group, { at: Date.now(), users });
    return users;
  }

  private async isAdmin(user: string): Promise<boolean> {
    const cached = this.admins.get(user);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.admin;
    const r = await this.client.users.info({ user });
    const admin = Boolean(r.user?.is_admin || r.user?.is_owner || r.user?.is_primary_owner);
    this.admins.set(user, { at: Date.now(), admin });
    return admin;
  }
}

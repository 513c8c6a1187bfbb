/**
 * Text from the data (company names a buyer chooses, product and offer titles, file names, the
 * reasons a file was rejected) is hostile in Slack: `<!channel>` pings everyone, `<@U…>` mentions
 * a person, `<https://x|click>` disguises a link, and `*`, `_`, `~`, backticks restyle the message.
 * Slack has no escape for the styling characters, so they become look-alikes that Slack does not
 * read as markup; `&`, `<` and `>` become the entities Slack documents.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** Look-alikes for the characters mrkdwn styles with: asterisk operator, modifier low macron, tilde operator, modifier grave. */
const LOOK_ALIKES: Record<string, string> = { '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' };

/**
 * Data shown in mrkdwn text: never a mention, a link, or styling. Styling needs its mark at the
 * edge of a word, so one inside a word (sdds_billing_event) is left as it is.
 */
export function mrkdwnText(value: string): string {
  return value.replace(/[&<>`]|(?<![\p{L}\p{N}])[*_~]|[*_~](?![\p{L}\p{N}])/gu, (c) => ENTITIES[c] ?? LOOK_ALIKES[c]!);
}

/** Data inside a code block or inline code: styling is off there, but a backtick would end it. */
export function codeText(value: string): string {
  return value.replace(/[&<>`]/g, (c) => ENTITIES[c] ?? LOOK_ALIKES[c]!);
}


/**
 * Money by where the customer is: the account's tax address, else its mailing address (the id
 * the account names, as AWS's reports pick it; sdds-feeds.md §4.1-4.2), both as they stood at
 * the instant of the money (invoice date, usage day; the recipe of §3), per country or per state.
 *
 * Lines are summed per currency and account first, as the customer breakdown sums them, and each
 * sum is placed once by a set-based join of the few account and address revisions, never per
 * line. An account whose account or address revision changes inside the period has its lines
 * split at those instants ("slots", by FILTER aggregates): grouping by the instant itself would
 * make PostgreSQL expect a group per line and sort millions of rows instead of hashing them.
 */
import type { Database } from '../db/client.ts';
import { inEffect, revisionSpans } from '../datasets/history.ts';

export type PlaceDimension = 'country' | 'state';

export function isPlaceDimension(by: string | undefined): by is PlaceDimension {
  return by === 'country' || by === 'state';
}

/**
 * Per account, the instants inside (start, end) its place can change at, sorted: a revision of
 * the account, or of an address it names, that follows an earlier one (a first revision changes
 * nothing: the earliest revision also answers before it). `union all`: a plain union would keep
 * the lines from being summed in parallel.
 */
function changesSql(start: string, end: string): string {
  return `(select account_id as changed_account, array_agg(distinct valid_from order by valid_from) as changes
      from (select a.account_id, a.valid_from from sdds_account a
             where a.valid_from > ${start} and a.valid_from < ${end}
               and exists (select 1 from sdds_account p where p.account_id = a.account_id and p.valid_from < a.valid_from)
            union all
            select a.account_id, d.valid_from from sdds_address d join sdds_account a on d.address_id in (a.tax_address_id, a.mailing_address_id)
             where d.valid_from > ${start} and d.valid_from < ${end}
               and exists (select 1 from sdds_address p where p.address_id = d.address_id and p.valid_from < d.valid_from)) c
     group by account_id)`;
}

/** The most changes of one account's place inside the period: the slots its lines need beyond the first. */
export async function countPlaceChanges(db: Database, start: string, end: string, params: unknown[]): Promise<number> {
  const r = await db.query<{ k: number }>(`select coalesce(max(cardinality(changes)), 0)::int as k from ${changesSql(start, end)} ch`, params);
  return r[0]?.k ?? 0;
}

/** An amount summed per place: `value` over the lines matching `where`. */
export interface PlaceSum {
  name: string;
  value: string;
  where?: string;
}

export interface PlaceQuery {
  /** The lines: `from ...` (joins allowed, no where). */
  from: string;
  /** SQL over the lines: the currency, the account to place, the instant of the money. */
  currency: string;
  party: string;
  at: string;
  /** SQL instants bounding the period [start, end). */
  start: string;
  end: string;
  sums: PlaceSum[];
}

/**
 * CTEs and the final select (write `with ${placedSql(...)}`, or append after other CTEs): the
 * lines summed per currency and account, in `slots` + 1 slots, each placed at its first instant.
 * Columns: currency, key, country, region (as written) and the sums as text.
 */
export function placedSql(q: PlaceQuery, slots: number, by: PlaceDimension): string {
  const ks = Array.from({ length: slots + 1 }, (_, k) => k);
  const slot = slots === 0 ? '0' : `coalesce(width_bucket(${q.at}, ch.changes), 0)`;
  const filtered = (k: number, where?: string) => (slots === 0 ? (where ? ` filter (where ${where})` : '') : ` filter (where ${where ? `${where} and ` : ''}${slot} = ${k})`);
  const sums = ks.flatMap((k) => [
    `count(*)${filtered(k)} as n_${k}`,
    ...q.sums.map((m) => `coalesce(sum(${m.value})${filtered(k, m.where)}, 0) as ${m.name}_${k}`),
  ]);
  const names = q.sums.map((m) => m.name);
  const changes = `left join ${changesSql(q.start, q.end)} ch on ch.changed_account = `;
  const summed =
    slots === 0
      ? `s as (select g.currency, g.party, ${q.start} as at, ${names.map((n) => `g.${n}_0 as ${n}`).join(', ')} from g)`
      : `s as (select g.currency, g.party, case when v.slot = 0 then ${q.start} else ch.changes[v.slot] end as at, ${names.map((n) => `v.${n}`).join(', ')}
           from g ${changes}g.party
           cross join lateral (values ${ks.map((k) => `(${k}, g.n_${k}, ${names.map((n) => `g.${n}_${k}`).join(', ')})`).join(', ')}) v(slot, n, ${names.join(', ')})
          where v.n > 0)`;
  return `g as (select ${q.currency} as currency, ${q.party} as party, ${sums.join(', ')} ${q.from}${slots === 0 ? '' : ` ${changes}${q.party}`} group by 1, 2),
    ${summed}${placesSql('s', names, by)}`;
}

/**
 * ISO 3166-2 subdivisions whose names people write out instead of the code: [country, code,
 * name]. A state or region written either way gets the same key (US-CA); elsewhere the key is the
 * state as written, upper-cased (DE-BAYERN), and its name as written.
 */
const SUBDIVISIONS: Array<[string, string, string]> = [
  ...(
    [
      ['AL', 'Alabama'], ['AK', 'Alaska'], ['AZ', 'Arizona'], ['AR', 'Arkansas'], ['CA', 'California'], ['CO', 'Colorado'], ['CT', 'Connecticut'],
      ['DE', 'Delaware'], ['DC', 'District of Columbia'], ['FL', 'Florida'], ['GA', 'Georgia'], ['HI', 'Hawaii'], ['ID', 'Idaho'], ['IL', 'Illinois'],
      ['IN', 'Indiana'], ['IA', 'Iowa'], ['KS', 'Kansas'], ['KY', 'Kentucky'], ['LA', 'Louisiana'], ['ME', 'Maine'], ['MD', 'Maryland'],
      ['MA', 'Massachusetts'], ['MI', 'Michigan'], ['MN', 'Minnesota'], ['MS', 'Mississippi'], ['MO', 'Missouri'], ['MT', 'Montana'],
      ['NE', 'Nebraska'], ['NV', 'Nevada'], ['NH', 'New Hampshire'], ['NJ', 'New Jersey'], ['NM', 'New Mexico'], ['NY', 'New York'],
      ['NC', 'North Carolina'], ['ND', 'North Dakota'], ['OH', 'Ohio'], ['OK', 'Oklahoma'], ['OR', 'Oregon'], ['PA', 'Pennsylvania'],
      ['RI', 'Rhode Island'], ['SC', 'South Carolina'], ['SD', 'South Dakota'], ['TN', 'Tennessee'], ['TX', 'Texas'], ['UT', 'Utah'],
      ['VT', 'Vermont'], ['VA', 'Virginia'], ['WA', 'Washington'], ['WV', 'West Virginia'], ['WI', 'Wisconsin'], ['WY', 'Wyoming'],
      ['AS', 'American Samoa'], ['GU', 'Guam'], ['MP', 'Northern Mariana Islands'], ['PR', 'Puerto Rico'], ['VI', 'U.S. Virgin Islands'],
      ['AA', 'Armed Forces Americas'], ['AE', 'Armed Forces Europe'], ['AP', 'Armed Forces Pacific'],
    ] as const
  ).map(([code, name]): [string, string, string] => ['US', code, name]),
  ...(
    [
      ['AB', 'Alberta'], ['BC', 'British Columbia'], ['MB', 'Manitoba'], ['NB', 'New Brunswick'], ['NL', 'Newfoundland and Labrador'],
      ['NS', 'Nova Scotia'], ['NT', 'Northwest Territories'], ['NU', 'Nunavut'], ['ON', 'Ontario'], ['PE', 'Prince Edward Island'],
      ['QC', 'Quebec'], ['SK', 'Saskatchewan'], ['YT', 'Yukon'],
    ] as const
  ).map(([code, name]): [string, string, string] => ['CA', code, name]),
  ...(
    [
      ['ACT', 'Australian Capital Territory'], ['NSW', 'New South Wales'], ['NT', 'Northern Territory'], ['QLD', 'Queensland'],
      ['SA', 'South Australia'], ['TAS', 'Tasmania'], ['VIC', 'Victoria'], ['WA', 'Western Australia'],
    ] as const
  ).map(([code, name]): [string, string, string] => ['AU', code, name]),
];
const SUBDIVISION_NAMES = new Map(SUBDIVISIONS.map(([country, code, name]) => [`${country}-${code}`, name]));
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** Written-out names to codes, as SQL rows (country, NAME, code). */
const SUBDIVISION_SQL = `(values ${SUBDIVISIONS.map(([country, code, name]) => `(${quote(country)}, ${quote(name.toUpperCase())}, ${quote(code)})`).join(', ')}) n(country, name, code)`;

/**
 * The CTEs after `summed` (currency, party, at, and `amounts`), then the select: per currency and
 * place, `key` (country: the ISO code; state: 'US-CA', the country's code alone when its address
 * has no state; '' when the address is unknown), `country`, `region` and the amounts as text.
 */
function placesSql(summed: string, amounts: readonly string[], by: PlaceDimension): string {
  const sums = amounts.map((m) => `sum(p.${m})::text as ${m}`).join(', ');
  const placed = `,
    acct as ${revisionSpans('sdds_account', `select party from ${summed}`, ['tax_address_id', 'mailing_address_id'])},
    located as (
      select s.*, coalesce(a.tax_address_id, a.mailing_address_id) as address_id
        from ${summed} s left join acct a on a.account_id = s.party and ${inEffect('a', 's.at')}),
    addr as ${revisionSpans('sdds_address', 'select address_id from located', ['country_code', 'state_or_region'])},
    placed as (
      select l.*, upper(nullif(trim(d.country_code), '')) as country, nullif(trim(d.state_or_region), '') as region
        from located l left join addr d on d.address_id = l.address_id and ${inEffect('d', 'l.at')})`;
  if (by === 'country') {
    return `${placed}
    select p.currency, coalesce(p.country, '') as key, p.country, null::text as region, ${sums}
      from placed p group by p.currency, p.country`;
  }
  return `${placed}
    select p.currency, ${stateKey('p.country', 'p.region')} as key, p.country, min(p.region) as region, ${sums}
      from placed p ${subdivisionJoin('p.country', 'p.region')}
     group by 1, 2, 3`;
}

/** The state key of a country code and a state as written (SQL over `n`, the subdivision names joined on them). */
export function stateKey(country: string, region: string): string {
  return `case when ${country} is null then '' when ${region} is null then ${country} else ${country} || '-' || coalesce(n.code, upper(${region})) end`;
}

/** The subdivision names to join as `n` on a country and a state as written, for stateKey. */
export function subdivisionJoin(country: string, region: string): string {
  return `left join ${SUBDIVISION_SQL} on n.country = ${country} and n.name = upper(${region})`;
}

const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

/** A country's English name from its ISO 3166 code; anything else (a name, as older reports write it) as it is. */
export function countryName(code: string): string {
  if (!/^[A-Z]{2}$/.test(code)) return code;
  try {
    return REGION_NAMES.of(code) ?? code;
  } catch {
    return code;
  }
}

/** The columns placesSql gives before the amounts. */
export interface PlaceColumns {
  currency: string;
  key: string;
  country: string | null;
  region: string | null;
}

/**
 * Rows of placesSql named: a country by its English name (detail: its code); a state by its name
 * (detail: the country's name); '(unknown)' when the address is. Columns as every breakdown's.
 */
export function namePlaces<A extends object>(rows: Array<PlaceColumns & A>, by: PlaceDimension) {
  return rows.map(({ currency, key, country, region, ...amounts }) => {
    let name: string;
    let detail: string | null;
    if (!country || key === '') [name, detail] = ['(unknown)', null];
    else if (by === 'country') [name, detail] = [countryName(country), country];
    else if (!region) [name, detail] = [`${countryName(country)} (no state)`, countryName(country)];
    else [name, detail] = [SUBDIVISION_NAMES.get(key) ?? region, countryName(country)];
    return { currency, key, name, detail, ...amounts };
  });
}

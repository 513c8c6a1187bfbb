/**
 * Personal data in what AWS delivers: where a buyer's people can be found or named. Addresses
 * (street lines, city, postal code), email domains, legal names and tax registration numbers of
 * accounts, and tax exemption certificates. Country and state stay: revenue is answered by them.
 * By column name, so datasets, CAS files and the rebuilt reports (whatever their header style:
 * email_domain, "Customer Email Domain", "Bill to City") follow one rule.
 */
const PERSONAL = /(^|_)(email|e_mail|city|postal_code|zip_code|zip|address_line_\d|street|legal_name|tax_registration_number|exemption_certificate_id)(_|$)/;

export function isPersonalColumn(header: string): boolean {
  const name = header
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return PERSONAL.test(name);
}

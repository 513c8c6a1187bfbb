import postgres from 'postgres';
import { openPostgres, type Database } from '../src/db/client.ts';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A new, empty, migrated database on the benchmark server (dropped first if it exists). */
export async function freshDatabase(name: string): Promise<{ db: Database; url: string }> {
  const admin = postgres(ADMIN_URL, { onnotice: () => {}, max: 1 });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { db: await openPostgres(url.toString()), url: url.toString() };
}

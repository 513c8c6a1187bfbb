/**
 * Test databases: a fresh PostgreSQL database per test file (so files run in parallel) on the
 * server named by TEST_DATABASE_URL or DATABASE_URL (default: local trust auth), and in-memory PGlite.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openPglite, openPostgres, type Database } from '../../src/db/client.ts';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  db: Database;
  url: string | null;
  drop(): Promise<void>;
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `mp_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { onnotice: () => {}, max: 1 });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      const a = postgres(ADMIN_URL, { onnotice: () => {}, max: 1 });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export async function createPgliteDatabase(): Promise<TestDatabase> {
  const db = await openPglite(undefined);
  return { db, url: null, drop: () => db.close() };
}

export const ENGINES = [
  ['postgres', createPostgresDatabase],
  ['pglite', createPgliteDatabase],
] as const;

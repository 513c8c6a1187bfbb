import { defineConfig } from 'drizzle-kit';

// Migrations are generated against the schema alone; no database is needed to run `npm run db:generate`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
});

export * from './ingest.ts';
export * from './datasets.ts';

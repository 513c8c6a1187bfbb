export * from './ingest.ts';
export * from './datasets.ts';
export * from './pipeline.ts';
export * from './rollups.ts';
export * from './slack.ts';
export * from './email.ts';

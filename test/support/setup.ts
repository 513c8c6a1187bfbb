// The AWS SDK reads credentials from the process environment: always the emulators' (s3rver, fauxqs),
// even when the developer has real ones set. Nothing here reaches AWS: every test names a loopback endpoint.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
process.env.AWS_REGION = 'us-east-1';

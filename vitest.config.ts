import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files that wait out real time (a two-minute database outage) start first, whatever the cache says. */
const LONG_FILES = /outage|crash|embedded-shared|slack-trouble/;

class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted.filter((f) => LONG_FILES.test(f.moduleId)), ...sorted.filter((f) => !LONG_FILES.test(f.moduleId))];
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // each test file gets its own database, so files run in parallel safely; most of a file's time
    // is spent waiting (on processes, servers, an outage being timed), so more files run at once
    // than there are cores: on 2 cores, one worker took 6 minutes, four take about 2
    maxWorkers: 4,
    sequence: { sequencer: LongFilesFirst },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

// Build config of the PWA (web/) and the test runner config for the whole repository.
export default defineConfig({
  root: '.',
  publicDir: 'public',
  build: { outDir: 'dist', emptyOutDir: true },
  test: {
    include: ['tests/**/*.test.{ts,tsx}', 'models/**/*.test.ts', 'api/**/*.test.ts', 'web/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

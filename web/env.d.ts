/// <reference types="vite/client" />

/** Byte size and sha256 of each file the app downloads itself, keyed by path under the site root. */
declare const __ASSET_FACTS__: Record<string, { bytes: number; sha256: string | null }>;

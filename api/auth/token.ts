// Session tokens per Lucia's guide: 160 random bits as lower-case base32; the id is their SHA-256 in hex.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

export const sessionIdOf = (token: string): string => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));

// Password hashing: argon2id (OWASP minimum parameters, the library's defaults), PHC string stored.
import { hash, verify } from '@node-rs/argon2';

const ARGON2ID = 2; // Algorithm.Argon2id (a const enum, so spelled out for isolatedModules)

export const hashPassword = (password: string): Promise<string> =>
  hash(password, { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 });

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false; // unparsable hash: never a match
  }
}

/** What the routes hash and verify with (injected, so tests can count verifications). */
export interface Passwords {
  hash(password: string): Promise<string>;
  verify(stored: string, password: string): Promise<boolean>;
}

export const argon2Passwords: Passwords = { hash: hashPassword, verify: verifyPassword };

let dummy: Promise<string> | undefined;
/**
 * A real argon2id hash of a random password, made once: unknown emails are verified against it so that
 * they cost the same work as a wrong password for a known email.
 */
export const dummyHash = (passwords: Passwords): Promise<string> =>
  (dummy ??= passwords.hash(crypto.randomUUID()).catch((err: unknown) => { dummy = undefined; throw err; }));

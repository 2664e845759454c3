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

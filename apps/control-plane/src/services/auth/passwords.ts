/** Password hashing with argon2id (OWASP parameters). */
import { hash, verify } from "@node-rs/argon2";

// `Algorithm` is an ambient const enum (not importable under type stripping): 2 is Argon2id.
const argon2id = 2;
const options = { algorithm: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

// Verified when the account does not exist, so the answer takes as long either way.
const dummyHash = hash("switchyard-timing-equaliser", options);

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

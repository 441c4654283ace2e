import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** argon2id hashing behind one small provider, so the algorithm choice lives in one place. */
@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A malformed stored hash is treated as a failed match, not as a server error.
      return false;
    }
  }
}

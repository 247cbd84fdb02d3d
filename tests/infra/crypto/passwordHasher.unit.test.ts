import { describe, expect, it } from 'vitest';
import { passwordHashProblems } from '../../../src/domain/users/userValidation.js';
import { hashPassword, verifyPassword } from '../../../src/infra/crypto/passwordHasher.js';

describe('password hasher', () => {
  it('makes a PHC scrypt string the domain accepts, salted anew each time', async () => {
    const [first, second] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(first).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(passwordHashProblems(first)).toEqual([]);
    expect(second).not.toBe(first);
    expect(first).not.toContain('correct horse');
  });

  it('verifies the password it was made from and no other', async () => {
    const stored = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horse ', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('matches a password typed in another Unicode form (NFKC)', async () => {
    const stored = await hashPassword('ﬁle Å');
    expect(await verifyPassword('file Å', stored)).toBe(true);
  });

  it('never matches a stored value that is not a sane scrypt hash', async () => {
    const stored = await hashPassword('pw');
    expect(await verifyPassword('pw', stored.replace('ln=15', 'ln=40'))).toBe(false);
    expect(await verifyPassword('pw', stored.replace('r=8', 'r=99'))).toBe(false);
    expect(await verifyPassword('pw', '$2b$10$abcdefghijklmnopqrstuv')).toBe(false);
    expect(await verifyPassword('pw', 'pw')).toBe(false);
  });
});

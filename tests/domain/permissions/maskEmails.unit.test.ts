import { describe, expect, it } from 'vitest';
import { maskEmails } from '../../../src/domain/permissions/maskEmails.js';

describe('maskEmails', () => {
  it('cuts every address to its first character and its domain', () => {
    expect(maskEmails('ann@example.com invited bob.smith@corp.example.org as viewer')).toBe(
      'a…@example.com invited b…@corp.example.org as viewer',
    );
  });

  it('keeps JSON valid and leaves text without addresses alone', () => {
    const masked = maskEmails(JSON.stringify({ email: 'ann@example.com', role: 'viewer' }));
    expect(JSON.parse(masked)).toEqual({ email: 'a…@example.com', role: 'viewer' });
    expect(maskEmails('admin paused pipeline Clean orders @ 9:00')).toBe(
      'admin paused pipeline Clean orders @ 9:00',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { validateAuthConfig } from './auth-config.js';

describe('validateAuthConfig', () => {
  it('refuses a bootstrap admin name that UpsertUser would refuse, before the node starts', () => {
    for (const [name, problem] of [
      ['*', "may not be '*'"],
      ['ad\u0085min', 'U+0085'],
      ['é'.repeat(128), '255 UTF-8 bytes'],
    ] as const) {
      const problems: string[] = [];
      validateAuthConfig({ bootstrapAdminUser: name, bootstrapAdminPassword: 'long-enough' }, problems);
      expect(problems.join('\n'), JSON.stringify(name)).toContain('bootstrapAdminUser: user name');
      expect(problems.join('\n')).toContain(problem);
    }
    const problems: string[] = [];
    validateAuthConfig({ bootstrapAdminUser: 'admin', bootstrapAdminPassword: 'long-enough' }, problems);
    expect(problems).toEqual([]);
  });
});

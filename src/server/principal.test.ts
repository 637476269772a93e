import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { anonymousPrincipal, principalOf } from './principal.js';

describe('principalOf', () => {
  it('is User:<CN> of a verified client certificate, else anonymous', () => {
    const certificate = { subject: { CN: 'alice' } } as unknown as PeerCertificate;
    expect(principalOf({ peerCertificate: certificate })).toBe('User:alice');
    expect(principalOf({ peerCertificate: undefined })).toBe(anonymousPrincipal);
    const noName = { subject: {} } as unknown as PeerCertificate;
    expect(principalOf({ peerCertificate: noName })).toBe(anonymousPrincipal);
  });
});

import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../../main/server/loopback.js';
import { allowedHosts, needsToken } from '../../../main/server/api/request-security.js';

describe('isLoopback: one test for every spelling (issue 13)', () => {
  it.each([
    '127.0.0.1',
    '127.1',
    '127.0.1',
    '127.255.255.254',
    '0x7f.1',
    '0177.0.0.1',
    '2130706433',
    'localhost',
    'LOCALHOST',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    ' 127.0.0.1 ',
  ])('%s is loopback', (host) => expect(isLoopback(host)).toBe(true));

  it.each([
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '128.0.0.1',
    '127.256.0.1.5',
    '1.127.0.0',
    '127.example.com',
    'localhost.example.com',
    '::2',
    '::ffff:10.0.0.1',
    '',
    '127.0.0.1.',
    '0x80.1',
    '4294967296',
  ])('%s is not', (host) => expect(isLoopback(host)).toBe(false));

  it('the Host check and the /health token rule agree with it', () => {
    const policy = { host: '127.1', port: () => 4730, token: () => 't' };
    expect(allowedHosts(policy)).not.toBeNull();
    expect(needsToken('/health', policy)).toBe(false);
    const open = { ...policy, host: '0.0.0.0' };
    expect(allowedHosts(open)).toBeNull();
    expect(needsToken('/health', open)).toBe(true);
  });
});

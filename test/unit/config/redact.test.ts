import { describe, expect, it } from 'vitest';
import { displayValue, isSecretKey, redactSecrets } from '../../../main/core/config/redact.js';

describe('redaction', () => {
  it('masks the password of connection URLs, keeping user, host and database', () => {
    expect(redactSecrets('postgres://nova:hunter2@db.example.com:5432/nova')).toBe(
      'postgres://nova:***@db.example.com:5432/nova',
    );
    // Passwords may contain '@' and ':' when not percent-encoded.
    expect(redactSecrets('mongodb://u:p@ss:w0rd@h:27017/x')).toBe('mongodb://u:***@h:27017/x');
    expect(redactSecrets('rediss://:s3cret@cache:6380/0')).toBe('rediss://:***@cache:6380/0');
    expect(redactSecrets('see postgres://a:b@h1/x and redis://:c@h2')).toBe(
      'see postgres://a:***@h1/x and redis://:***@h2',
    );
  });

  it('leaves URLs without a password alone', () => {
    expect(redactSecrets('postgres://nova@db/nova')).toBe('postgres://nova@db/nova');
    expect(redactSecrets('http://127.0.0.1:4730/health')).toBe('http://127.0.0.1:4730/health');
  });

  it('masks password=, token: and bearer pairs in free text', () => {
    expect(redactSecrets('host=db password=hunter2 user=nova')).toBe(
      'host=db password=*** user=nova',
    );
    expect(redactSecrets('{"adminToken":"abc123","user":"x"}')).toBe(
      '{"adminToken":"***","user":"x"}',
    );
    expect(redactSecrets("PGPASSWORD='hunter2'")).toBe("PGPASSWORD='***'");
    expect(redactSecrets('Authorization: Bearer eyJhbGciOi.xyz')).toBe('Authorization: Bearer ***');
    expect(redactSecrets('?user=a&password=hunter2&ssl=true')).toBe(
      '?user=a&password=***&ssl=true',
    );
  });

  it('hides the whole value of settings whose name says secret', () => {
    expect(isSecretKey('NOVA_ADMIN_TOKEN')).toBe(true);
    expect(isSecretKey('BACKUP_PASSPHRASE')).toBe(true);
    expect(isSecretKey('POSTGRES_PASSWORD')).toBe(true);
    expect(isSecretKey('NOVA_PORT')).toBe(false);
    expect(displayValue('NOVA_ADMIN_TOKEN', 'abc123')).toBe('***');
    expect(displayValue('POSTGRES_URL', 'http://nova:hunter2@x')).toBe('http://nova:***@x');
    expect(displayValue('NOVA_PORT', 'abc')).toBe('abc');
  });

  it('masks secret query parameters of every scheme (issue 13, defect 3)', () => {
    expect(
      redactSecrets('postgres://u@h:5432/db?sslmode=require&password=PW1&sslpassword=PW2&x=1'),
    ).toBe('postgres://u@h:5432/db?sslmode=require&password=***&sslpassword=***&x=1');
    expect(redactSecrets('redis://:PW3@h:6379/0?password=PW4')).toBe(
      'redis://:***@h:6379/0?password=***',
    );
    expect(redactSecrets('mongodb://h/x?tls=true&tlsCertificateKeyFilePassword=PW5')).toBe(
      'mongodb://h/x?tls=true&tlsCertificateKeyFilePassword=***',
    );
    expect(redactSecrets('mongodb://h/x?authMechanismProperties=a&pass=PW6')).toBe(
      'mongodb://h/x?authMechanismProperties=a&pass=***',
    );
    // A percent-encoded key is decoded by libpq, so it is a password too.
    expect(redactSecrets('postgres://h/db?pass%77ord=PW7')).toBe('postgres://h/db?pass%77ord=***');
    expect(redactSecrets('postgres://h/db?PASSWORD=PW8')).toBe('postgres://h/db?PASSWORD=***');
    // Inside JSON, the value ends at the closing quote.
    expect(redactSecrets('{"url":"postgres://h/db?password=PW9","port":1}')).toBe(
      '{"url":"postgres://h/db?password=***","port":1}',
    );
    // Malformed URLs (an unencoded "/" or "@" in the password) are masked too.
    expect(redactSecrets('postgres://u:p/w@d@h/db')).toBe('postgres://u:***@h/db');
  });

  it('leaves prose that merely contains "pass" alone', () => {
    expect(redactSecrets('12 checks passed: all good')).toBe('12 checks passed: all good');
  });
});

import { describe, expect, it } from 'vitest';
import {
  displayValue,
  isSecretKey,
  redactSecrets,
  redactUrlPasswords,
} from '../../../main/core/config/redact.js';

describe('redaction', () => {
  it('masks the password of connection URLs, keeping user, host and database', () => {
    expect(redactUrlPasswords('postgres://nova:hunter2@db.example.com:5432/nova')).toBe(
      'postgres://nova:***@db.example.com:5432/nova',
    );
    // Passwords may contain '@' and ':' when not percent-encoded.
    expect(redactUrlPasswords('mongodb://u:p@ss:w0rd@h:27017/x')).toBe('mongodb://u:***@h:27017/x');
    expect(redactUrlPasswords('rediss://:s3cret@cache:6380/0')).toBe('rediss://:***@cache:6380/0');
    expect(redactUrlPasswords('see postgres://a:b@h1/x and redis://:c@h2')).toBe(
      'see postgres://a:***@h1/x and redis://:***@h2',
    );
  });

  it('leaves URLs without a password alone', () => {
    expect(redactUrlPasswords('postgres://nova@db/nova')).toBe('postgres://nova@db/nova');
    expect(redactUrlPasswords('http://127.0.0.1:4730/health')).toBe('http://127.0.0.1:4730/health');
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
});

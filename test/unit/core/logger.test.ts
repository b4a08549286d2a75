import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../main/core/logger.js';

function capture(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    now: () => new Date('2025-01-02T03:04:05.000Z'),
    write: (l) => lines.push(l),
    ...options,
  });
  return { logger, lines };
}

describe('logger', () => {
  it('writes timestamped, levelled lines with key=value fields', () => {
    const { logger, lines } = capture({ level: 'info' });
    logger.info('serving', { url: 'http://127.0.0.1:4730', note: 'two words' });
    expect(lines).toEqual([
      '2025-01-02T03:04:05.000Z info  serving url=http://127.0.0.1:4730 note="two words"\n',
    ]);
  });

  it('drops lines below the level, taking the level from NOVA_LOG_LEVEL', () => {
    const { logger, lines } = capture({ env: { NOVA_LOG_LEVEL: 'warn' } });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['warn', 'error']);
    logger.setLevel('debug');
    logger.debug('now visible');
    expect(lines).toHaveLength(3);
  });

  it('ignores an invalid NOVA_LOG_LEVEL and logs at info', () => {
    const { logger, lines } = capture({ env: { NOVA_LOG_LEVEL: 'loud' } });
    expect(logger.level).toBe('info');
    logger.debug('hidden');
    logger.info('shown');
    expect(lines).toHaveLength(1);
  });

  it('never writes a password, whether in the message, a URL or a field', () => {
    const { logger, lines } = capture();
    logger.info('connecting to postgres://nova:hunter2@db:5432/nova');
    logger.error('login failed', {
      conninfo: 'host=db password=hunter2',
      password: 'hunter2',
      url: 'redis://:hunter2@c',
    });
    const text = lines.join('');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('postgres://nova:***@db:5432/nova');
    expect(text).toContain('password=***');
    expect(text).toContain('redis://:***@c');
  });
});

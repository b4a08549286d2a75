/**
 * The Settings view-models: which rows can be edited, what a read-only row
 * shows and where it says the value is set instead, units, the groups
 * (Advanced folded with its count), and the text after a token rotation.
 */
import { describe, expect, it } from 'vitest';
import {
  rotatedTokenText,
  settingGroupModels,
  settingRowModel,
  type SettingItem,
} from '../../../../renderer/screens/settings-model.js';

const item = (extra: Partial<SettingItem> & { key: string }): SettingItem => ({
  value: null,
  source: 'default',
  secret: false,
  editable: true,
  ...extra,
});

describe('setting rows', () => {
  it('an editable number: its unit, no note', () => {
    expect(settingRowModel(item({ key: 'POSTGRES_POOL_MAX', value: 10 }))).toMatchObject({
      label: 'PostgreSQL connections',
      readOnly: false,
      unit: 'connections',
      note: null,
    });
  });

  it('set in the environment: read-only, the choice shown by its label, where to change it', () => {
    expect(
      settingRowModel(
        item({ key: 'NOVA_LOG_LEVEL', value: 'warn', source: 'env', editable: false }),
      ),
    ).toMatchObject({
      readOnly: true,
      shown: 'Warnings and errors',
      note: { kind: 'outside', where: 'in Nova’s environment', key: 'NOVA_LOG_LEVEL' },
    });
  });

  it('connection choices point to Setup; the data folder to Nova’s start; unset says so', () => {
    expect(settingRowModel(item({ key: 'REDIS_URL', secret: true }))).toMatchObject({
      readOnly: true,
      shown: 'not set',
      note: { kind: 'setup' },
    });
    expect(
      settingRowModel(item({ key: 'NOVA_DATA_DIR', value: '/var/lib/nova', editable: false })),
    ).toMatchObject({ shown: '/var/lib/nova', note: { kind: 'startup' } });
  });
});

describe('setting groups', () => {
  it('fixed order, rows in the view order, Advanced folded with its count', () => {
    const groups = settingGroupModels({
      settingsFile: '/x/settings.json',
      restartRequired: false,
      items: [
        item({ key: 'NOVA_LOG_LEVEL' }),
        item({ key: 'NOVA_BACKUP_KEEP_LAST' }),
        item({ key: 'POSTGRES_POOL_MAX' }),
        item({ key: 'NOVA_PORT' }),
      ],
    });
    expect(groups.map((g) => [g.id, g.heading, g.folded, g.keys])).toEqual([
      ['connections', 'Connections', false, ['POSTGRES_POOL_MAX']],
      ['backups', 'Backups', false, ['NOVA_BACKUP_KEEP_LAST']],
      ['advanced', 'Advanced (2)', true, ['NOVA_LOG_LEVEL', 'NOVA_PORT']],
    ]);
    expect(groups[0]!.headingId).toBe('settings-connections-h');
  });
});

describe('rotated token', () => {
  it('headless: a login link with the token escaped; desktop: the token', () => {
    expect(rotatedTokenText('headless', 'http://127.0.0.1:4730', 'a+b/c')).toBe(
      'http://127.0.0.1:4730/#token=a%2Bb%2Fc',
    );
    expect(rotatedTokenText('desktop', 'file://', 'a+b/c')).toBe('a+b/c');
  });
});

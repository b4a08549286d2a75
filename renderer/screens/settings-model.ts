/**
 * What the Settings screen shows for each setting, as plain data: its
 * label and description, whether it can be edited here, the value shown
 * when it cannot, its unit, and the note saying where it is set instead
 * (Setup, Nova's start, the environment…). And the groups the rows go in,
 * Advanced folded away. Pure: settings-form.ts renders it.
 */
import type { z } from 'zod';
import type { settingsViewSchema } from '../../shared-contract/methods/settings.js';
import {
  SETTING_GROUPS,
  settingInfo,
  type SettingControl,
} from '../../shared-contract/settings-catalog.js';

export type SettingsView = z.infer<typeof settingsViewSchema>;
export type SettingItem = SettingsView['items'][number];

const SOURCE_WORD: Record<string, string> = {
  flag: 'on Nova’s command line',
  env: 'in Nova’s environment',
  dotenv: 'in the .env file',
};

/** Why a setting is not edited here, and where it is. */
export type SettingNote =
  { kind: 'setup' } | { kind: 'startup' } | { kind: 'outside'; where: string; key: string } | null;

export interface SettingRowModel {
  key: string;
  label: string;
  description: string;
  control: SettingControl;
  /** Shown as text, not as a control: set outside Nova, chosen in Setup, or a secret. */
  readOnly: boolean;
  /** The value as text for a read-only row ("not set", a choice's label). */
  shown: string;
  unit: string | null;
  note: SettingNote;
}

export function settingRowModel(item: SettingItem): SettingRowModel {
  const info = settingInfo(item.key);
  const c = info.control;
  const source = SOURCE_WORD[item.source];
  return {
    key: item.key,
    label: info.label,
    description: info.description,
    control: c,
    readOnly: !item.editable || info.setupOnly === true || item.secret,
    shown:
      item.value === null
        ? 'not set'
        : c.kind === 'choice'
          ? (c.options.find((o) => o.value === String(item.value))?.label ?? String(item.value))
          : String(item.value),
    unit: c.kind === 'number' && c.unit ? c.unit : null,
    note: info.setupOnly
      ? { kind: 'setup' }
      : item.key === 'NOVA_DATA_DIR'
        ? { kind: 'startup' }
        : source
          ? { kind: 'outside', where: source, key: item.key }
          : null,
  };
}

export interface SettingGroupModel {
  id: string;
  /** The heading; a folded group counts its rows ("Advanced (12)"). */
  heading: string;
  headingId: string;
  description: string;
  folded: boolean;
  keys: string[];
}

/** The groups in their fixed order, each with the keys of its rows in the view's order. */
export function settingGroupModels(view: SettingsView): SettingGroupModel[] {
  return SETTING_GROUPS.map((g) => {
    const keys = view.items.map((i) => i.key).filter((k) => settingInfo(k).group === g.id);
    const folded = g.id === 'advanced';
    return {
      id: g.id,
      heading: folded ? `${g.label} (${keys.length})` : g.label,
      headingId: `settings-${g.id}-h`,
      description: g.description,
      folded,
      keys,
    };
  });
}

/** What the admin copies after a token rotation: a login link in headless mode, the token itself on the desktop. */
export function rotatedTokenText(
  mode: 'desktop' | 'headless',
  origin: string,
  token: string,
): string {
  return mode === 'headless' ? `${origin}/#token=${encodeURIComponent(token)}` : token;
}

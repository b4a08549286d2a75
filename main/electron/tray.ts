/**
 * The tray: a projection of the health model (main/core/tray/tray-model.ts).
 * On every health update the whole menu is rebuilt from the model — no
 * menu item is ever patched in place — and the icon is the state's icon.
 */
import path from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { HealthSummaryDto } from '../../shared-contract/index.js';
import type { HealthAggregate } from '../core/health/aggregate.js';
import {
  trayModel,
  type TrayAction,
  type TrayIcon,
  type TrayModel,
  type TrayState,
} from '../core/tray/tray-model.js';

export interface TrayController {
  update(health: HealthSummaryDto | null, state: TrayState): void;
  destroy(): void;
}

/** Electron menu items from the model; actions go to `onAction`. */
export function menuTemplate(
  model: TrayModel,
  onAction: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return model.menu.map((item) =>
    item.type === 'separator'
      ? { id: item.id, type: 'separator' as const }
      : {
          id: item.id,
          label: item.label,
          enabled: item.enabled,
          ...(item.action ? { click: () => onAction(item.action!) } : {}),
        },
  );
}

export function iconPath(resourcesDir: string, icon: TrayIcon): string {
  return path.join(resourcesDir, 'tray', `${icon}.png`);
}

export function createTray(
  resourcesDir: string,
  onAction: (action: TrayAction) => void,
): TrayController {
  const tray = new Tray(nativeImage.createFromPath(iconPath(resourcesDir, 'unknown')));
  let lastIcon: TrayIcon | null = null;
  const controller: TrayController = {
    update(health, state) {
      // The contract's summary is the aggregate as data; the model reads the same fields.
      const model = trayModel(health as HealthAggregate | null, state);
      if (model.icon !== lastIcon) {
        tray.setImage(nativeImage.createFromPath(iconPath(resourcesDir, model.icon)));
        lastIcon = model.icon;
      }
      tray.setToolTip(model.tooltip);
      tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(model, onAction)));
    },
    destroy: () => tray.destroy(),
  };
  controller.update(null, { servicesRunning: false, backupRunning: false });
  return controller;
}

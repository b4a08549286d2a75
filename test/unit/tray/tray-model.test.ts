import { describe, expect, it } from 'vitest';
import { aggregate, type HealthAggregate } from '../../../main/core/health/aggregate.js';
import {
  STATUS_LINE_MAX,
  TOOLTIP_MAX,
  trayModel,
  type MenuItemModel,
  type TrayState,
} from '../../../main/core/tray/tray-model.js';
import { outcome } from '../health/outcomes.js';

const running: TrayState = { servicesRunning: true, backupRunning: false };
const stopped: TrayState = { servicesRunning: false, backupRunning: false };

const byId = (menu: MenuItemModel[], id: string): MenuItemModel => {
  const item = menu.find((m) => m.id === id);
  if (!item) throw new Error(`no menu item ${id}`);
  return item;
};

const okAgg = aggregate([
  outcome('relational', 'ok', { latencyMs: 2.46 }),
  outcome('documents', 'ok', { latencyMs: 31.7 }),
  outcome('cache', 'ok', { latencyMs: 0.3 }),
  outcome('disk', 'ok', { latencyMs: null }),
]);
const degradedAgg = aggregate([
  outcome('relational', 'ok'),
  outcome('cache', 'down', { detail: 'Redis at 127.0.0.1:6390 is down; the cache is bypassed.' }),
]);
const downAgg = aggregate([
  outcome('relational', 'down', {
    detail: 'Cannot connect to PostgreSQL at 127.0.0.1:5999: refused. Start it.',
  }),
  outcome('cache', 'ok'),
]);

describe('trayModel', () => {
  it('unknown (no run yet): checking icon, no status lines, backup disabled', () => {
    const m = trayModel(null, running);
    expect(m.icon).toBe('unknown');
    expect(m.tooltip).toBe('Nova DB — checking the data services…');
    expect(m.menu.map((i) => i.id)).toEqual([
      'status',
      'sep-status',
      'open-dashboard',
      'start-services',
      'stop-services',
      'backup-now',
      'sep-quit',
      'quit',
    ]);
    expect(byId(m.menu, 'status')).toEqual({
      id: 'status',
      type: 'normal',
      label: 'Nova DB: Checking…',
      enabled: false,
      status: 'unknown',
    });
    expect(byId(m.menu, 'backup-now').enabled).toBe(false);
    expect(byId(m.menu, 'open-dashboard')).toMatchObject({
      enabled: true,
      action: 'open-dashboard',
    });
    expect(byId(m.menu, 'quit')).toMatchObject({
      enabled: true,
      action: 'quit',
      label: 'Quit Nova DB',
    });
  });

  it('ok: green icon, one status line per check with latency', () => {
    const m = trayModel(okAgg, running);
    expect(m.icon).toBe('ok');
    expect(m.tooltip).toBe('Nova DB — all services healthy');
    expect(
      m.menu.filter((i) => i.id.startsWith('status:')).map((i) => [i.label, i.status, i.enabled]),
    ).toEqual([
      ['PostgreSQL: ok (2.5 ms)', 'ok', false],
      ['MongoDB: ok (32 ms)', 'ok', false],
      ['Redis: ok (0.3 ms)', 'ok', false],
      ['Free disk: ok', 'ok', false],
    ]);
    expect(byId(m.menu, 'status').label).toBe('Nova DB: OK');
    expect(byId(m.menu, 'backup-now')).toMatchObject({
      label: 'Back up now',
      enabled: true,
      action: 'backup-now',
    });
  });

  it('degraded: names what is wrong in the tooltip and on its line', () => {
    const m = trayModel(degradedAgg, running);
    expect(m.icon).toBe('degraded');
    expect(m.tooltip).toBe('Nova DB — degraded: Redis down');
    expect(byId(m.menu, 'status:redis')).toMatchObject({
      label: 'Redis: down — Redis at 127.0.0.1:6390 is down',
      status: 'down',
    });
    // A down cache does not stop a backup.
    expect(byId(m.menu, 'backup-now').enabled).toBe(true);
  });

  it('down: red icon, first sentence of the reason, backup disabled while the database is down', () => {
    const m = trayModel(downAgg, running);
    expect(m.icon).toBe('down');
    expect(m.tooltip).toBe('Nova DB — down: PostgreSQL down');
    expect(byId(m.menu, 'status:postgres').label).toBe(
      'PostgreSQL: down — Cannot connect to PostgreSQL at 127.0.0.1:5999: refused',
    );
    expect(byId(m.menu, 'status').label).toBe('Nova DB: Down');
    expect(byId(m.menu, 'backup-now').enabled).toBe(false);
  });

  it('offers start when services are stopped and stop when they run', () => {
    expect(byId(trayModel(okAgg, stopped).menu, 'start-services')).toMatchObject({
      enabled: true,
      action: 'start-services',
    });
    expect(byId(trayModel(okAgg, stopped).menu, 'stop-services').enabled).toBe(false);
    expect(byId(trayModel(okAgg, running).menu, 'start-services').enabled).toBe(false);
    expect(byId(trayModel(okAgg, running).menu, 'stop-services')).toMatchObject({
      enabled: true,
      action: 'stop-services',
    });
  });

  it('shows a backup in progress and disables starting another', () => {
    const m = trayModel(okAgg, { servicesRunning: true, backupRunning: true });
    expect(byId(m.menu, 'backup-now')).toMatchObject({ label: 'Backing up…', enabled: false });
  });

  it('keeps the tooltip within the 127 characters Windows shows, and status lines short', () => {
    const many = aggregate(
      Array.from({ length: 12 }, (_, i) =>
        outcome('services', 'down', {
          id: `svc${i}`,
          label: `Service number ${i}`,
          detail: 'x'.repeat(300),
        }),
      ),
    );
    const m = trayModel(many, running);
    expect([...m.tooltip].length).toBe(TOOLTIP_MAX);
    expect(m.tooltip.endsWith('…')).toBe(true);
    for (const item of m.menu) expect([...item.label].length).toBeLessThanOrEqual(STATUS_LINE_MAX);
  });

  it('treats an aggregate with an unknown status as unknown', () => {
    const bogus = { ...okAgg, status: 'fine' } as unknown as HealthAggregate;
    const m = trayModel(bogus, running);
    expect(m.icon).toBe('unknown');
    expect(m.menu.some((i) => i.id.startsWith('status:'))).toBe(false);
  });

  it('is pure: same input, same output, input untouched', () => {
    const frozen = structuredClone(downAgg);
    const first = trayModel(downAgg, running);
    expect(trayModel(downAgg, running)).toEqual(first);
    expect(downAgg).toEqual(frozen);
    // Separators carry no action and are never clickable.
    for (const sep of first.menu.filter((i) => i.type === 'separator')) {
      expect(sep).toEqual({ id: sep.id, type: 'separator', label: '', enabled: false });
    }
  });
});

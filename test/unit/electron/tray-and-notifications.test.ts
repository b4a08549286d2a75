import { describe, expect, it, vi } from 'vitest';
import type { HealthAggregate } from '../../../main/core/health/aggregate.js';
import { trayModel } from '../../../main/core/tray/tray-model.js';

vi.mock('electron', async () => (await import('./electron-mock.js')).electronMock);

const { menuTemplate, iconPath } = await import('../../../main/electron/tray.js');
const { transitionMessage } = await import('../../../main/electron/notifications.js');
const { parseDesktopArgs } = await import('../../../main/electron/desktop-options.js');

const degraded: HealthAggregate = {
  status: 'degraded',
  at: 1,
  reasons: [
    {
      check: 'redis',
      service: 'cache',
      label: 'Redis',
      status: 'down',
      effect: 'degraded',
      message: 'Redis is down: connection refused — the cache is bypassed.',
      fix: 'Start Redis.',
    },
  ],
  checks: [
    {
      id: 'postgres',
      service: 'relational',
      label: 'PostgreSQL',
      status: 'ok',
      latencyMs: 2,
      detail: 'ok',
      at: 1,
      durationMs: 2,
    },
    {
      id: 'redis',
      service: 'cache',
      label: 'Redis',
      status: 'down',
      latencyMs: null,
      detail: 'connection refused',
      at: 1,
      durationMs: 2,
    },
  ],
};

describe('tray wiring', () => {
  it('turns every model item into a menu item, actions into clicks', () => {
    const actions: string[] = [];
    const model = trayModel(degraded, { servicesRunning: true, backupRunning: false });
    const template = menuTemplate(model, (a) => actions.push(a));
    expect(template.map((t) => t.id)).toEqual(model.menu.map((m) => m.id));
    expect(template.find((t) => t.id === 'status:redis')).toMatchObject({
      label: model.menu.find((m) => m.id === 'status:redis')!.label,
      enabled: false,
    });
    expect(template.filter((t) => t.type === 'separator')).toHaveLength(2);
    for (const item of template) item.click?.({} as never, undefined, {} as never);
    // Clicks arrive in menu order; disabled items (start while running) are in the menu but not offered by the model as enabled.
    expect(actions).toEqual(model.menu.filter((m) => m.action).map((m) => m.action));
    expect(new Set(actions)).toEqual(
      new Set(model.menu.filter((m) => m.action).map((m) => m.action)),
    );
  });

  it('has one icon file per state', () => {
    for (const state of ['ok', 'degraded', 'down', 'unknown'] as const) {
      expect(iconPath('/res', state)).toBe(`/res/tray/${state}.png`);
    }
  });
});

describe('notifications', () => {
  it('says nothing on the first check, names what broke, and announces recovery', () => {
    expect(
      transitionMessage({
        type: 'health-transition',
        from: 'unknown',
        to: 'degraded',
        reasons: degraded.reasons,
        at: 1,
      }),
    ).toBeNull();
    expect(
      transitionMessage({
        type: 'health-transition',
        from: 'ok',
        to: 'degraded',
        reasons: degraded.reasons,
        at: 1,
      }),
    ).toEqual({
      title: 'Nova DB is degraded',
      body: 'Redis is down: connection refused — the cache is bypassed.',
    });
    expect(
      transitionMessage({ type: 'health-transition', from: 'down', to: 'ok', reasons: [], at: 1 }),
    ).toEqual({
      title: 'Nova DB: all services healthy again',
      body: 'Recovered from down.',
    });
  });
});

describe('desktop command line', () => {
  it('reads --kiosk, --auto-start / --no-auto-start and --data-dir', () => {
    expect(parseDesktopArgs(['main.js'])).toEqual({
      kiosk: false,
      autoStart: undefined,
      dataDir: undefined,
    });
    expect(
      parseDesktopArgs(['main.js', '--kiosk', '--auto-start', '--data-dir', '/srv/nova']),
    ).toEqual({ kiosk: true, autoStart: true, dataDir: '/srv/nova' });
    expect(parseDesktopArgs(['--no-auto-start', '--data-dir=/x'])).toEqual({
      kiosk: false,
      autoStart: false,
      dataDir: '/x',
    });
  });
});

/**
 * The frame around every screen: navigation, the live health pill, the
 * screen-reader announcer, and hash routing (`#/dashboard`). Moving to a
 * screen puts focus on its heading, so keyboard and screen-reader users
 * land where the new content starts. The screens come in as a parameter
 * (routes.ts), so the shell imports none of them.
 */
import { statusBadge } from './components/status.js';
import { ROUTES, type AppContext, type RouteName } from './context.js';
import { h, replace } from './lib/dom.js';
import type { RouteEntry } from './routes.js';
import { createStatusStore } from './status/status-store.js';
import { statusView } from './status/status-view.js';

/** "Desktop · v1.2.3": the sidebar's last line. */
export function sidebarFoot(info: Pick<AppContext['info'], 'mode' | 'version'>): string {
  return `${info.mode === 'desktop' ? 'Desktop' : 'Headless'} · v${info.version}`;
}

export function mountShell(
  root: HTMLElement,
  base: Omit<AppContext, 'navigate' | 'announce' | 'status'>,
  screens: Record<RouteName, RouteEntry>,
): AppContext {
  const announcer = h('div', {
    class: 'sr-only',
    attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' },
  });
  const main = h('main', { id: 'main', class: 'main', attrs: { tabindex: '-1' } });
  const pill = h(
    'div',
    { class: 'health-pill', attrs: { role: 'status', 'aria-label': 'Overall health' } },
    statusBadge('unknown', 'Checking…'),
  );
  const links = new Map<RouteName, HTMLAnchorElement>();
  const nav = h(
    'nav',
    { class: 'sidebar', attrs: { 'aria-label': 'Main' } },
    h(
      'div',
      { class: 'brand' },
      h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }),
      'Nova DB',
    ),
    pill,
    h(
      'ul',
      { class: 'nav-list' },
      ROUTES.map((route) => {
        const a = h('a', { text: screens[route].label, attrs: { href: `#/${route}` } });
        links.set(route, a);
        return h('li', {}, a);
      }),
    ),
    h('p', { class: 'sidebar-foot', text: sidebarFoot(base.info) }),
  );
  const connection = h('div', {
    class: 'connection-banner',
    attrs: { role: 'alert', hidden: true },
  });
  const content = h('div', { class: 'content' }, connection, main);
  replace(root, nav, content, announcer);
  const status = createStatusStore(base.api, base.onEvent);

  let cleanup: (() => void) | void;
  const ctx: AppContext = {
    ...base,
    status,
    refreshInfo: async () => {
      await base.refreshInfo();
      ctx.info = base.info;
    },
    announce: (message) => {
      // Clear first so repeating the same message is announced again.
      announcer.textContent = '';
      window.setTimeout(() => (announcer.textContent = message), 50);
    },
    navigate: (route) => {
      if (location.hash !== `#/${route}`) location.hash = `#/${route}`;
      else show(route);
    },
  };

  // The pill, the banner and the greyed look all come from the one status snapshot.
  status.subscribe((snap) => {
    const view = statusView(snap, Date.now());
    replace(pill, statusBadge(view.pill.stale ? 'unknown' : view.pill.status, view.pill.text));
    connection.hidden = view.banner === null;
    connection.textContent = view.banner ?? '';
    content.classList.toggle('stale', view.stale);
  });
  base.onEvent((event) => {
    if (event.type === 'runtime' && event.state === 'ready') void ctx.refreshInfo();
  });

  const show = (route: RouteName) => {
    if (typeof cleanup === 'function') cleanup();
    for (const [name, a] of links) {
      if (name === route) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    replace(main);
    cleanup = screens[route].screen(ctx, main);
    document.title = `${screens[route].label} · Nova DB`;
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  };

  const current = (): RouteName => {
    const name = location.hash.replace(/^#\//, '');
    if ((ROUTES as readonly string[]).includes(name)) return name as RouteName;
    return base.info.firstRun ? 'setup' : 'dashboard';
  };
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#/')) show(current());
  });
  show(current());
  return ctx;
}

/** The connection state of the headless event stream, for the status store. */
export function showConnection(ctx: Pick<AppContext, 'status'>, connected: boolean): void {
  ctx.status.setConnected(connected);
}

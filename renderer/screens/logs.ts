/**
 * Logs: Nova's own log (every operation's start and outcome, every service
 * change) and each server's log where Nova keeps one; filter by level,
 * search, copy what is shown, or download it. Secrets are masked by main
 * before any line reaches this page.
 */
import type { z } from 'zod';
import type { logSourceSchema } from '../../shared-contract/methods/services.js';
import { pageHeader } from '../components/page-header.js';
import { textField } from '../components/field.js';
import { empty, errorNotice, info, loading } from '../components/notice.js';
import type { Screen } from '../context.js';
import { h, replace } from '../lib/dom.js';
import {
  downloadName,
  filterLog,
  LEVEL_FILTERS,
  logText,
  logView,
  type LogEntryView,
  type LogLevelName,
} from './logs-model.js';

type Source = z.infer<typeof logSourceSchema>;

const SOURCES: { value: Source; label: string }[] = [
  { value: 'app', label: 'Nova' },
  { value: 'postgres', label: 'PostgreSQL' },
  { value: 'mongo', label: 'MongoDB' },
  { value: 'redis', label: 'Redis' },
];

/** The toolbar's controls, and the toolbar itself. */
function logToolbar() {
  const source = h(
    'select',
    {},
    SOURCES.map((s) => h('option', { attrs: { value: s.value }, text: s.label })),
  );
  const level = h(
    'select',
    {},
    LEVEL_FILTERS.map((l) => h('option', { attrs: { value: l.value }, text: l.label })),
  );
  const search = h('input', {
    attrs: { type: 'search', placeholder: 'e.g. backup, failed', spellcheck: 'false' },
  });
  const lines = h(
    'select',
    {},
    [200, 500, 1000, 2000].map((n) =>
      h('option', { attrs: { value: n, selected: n === 500 }, text: `last ${n} lines` }),
    ),
  );
  const follow = h('input', { attrs: { type: 'checkbox', id: 'logs-follow', checked: true } });
  const copy = h('button', { class: 'btn', text: 'Copy', attrs: { type: 'button' } });
  const download = h('button', { class: 'btn', text: 'Download', attrs: { type: 'button' } });
  const element = h(
    'div',
    { class: 'log-toolbar' },
    textField('Log', source),
    textField('Level', level),
    textField('Search', search),
    textField('Show', lines),
    h(
      'div',
      { class: 'checkbox' },
      follow,
      h('label', { attrs: { for: 'logs-follow' }, text: 'Update every 5 s' }),
    ),
    copy,
    download,
  );
  return { source, level, search, lines, follow, copy, download, element };
}

/** Saves `text` as a file the browser downloads. */
function downloadText(text: string, fileName: string): void {
  const blob = new Blob([text], { type: 'text/plain' });
  const a = h('a', { attrs: { href: URL.createObjectURL(blob), download: fileName } });
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export const logsScreen: Screen = (ctx, host) => {
  const { source, level, search, lines, follow, copy, download, element } = logToolbar();
  const note = h('div', { attrs: { 'aria-live': 'polite' } });
  const out = h('div', {});
  host.append(
    pageHeader(
      'Logs',
      'What Nova and its servers did, newest at the bottom. Passwords are masked before lines are shown.',
    ),
    element,
    note,
    out,
  );

  let entries: LogEntryView[] = [];
  let available = true;
  let reason: string | undefined;
  const shown = () => filterLog(entries, level.value as LogLevelName | 'all', search.value);
  const label = () => source.selectedOptions[0]?.text ?? '';

  const render = () => {
    const view = logView(
      { available, reason, entries },
      { level: level.value as LogLevelName | 'all', search: search.value },
      label(),
    );
    if (view.kind === 'unavailable')
      return replace(out, empty('No log to show for this service.', view.reason));
    if (view.kind === 'empty') return replace(out, empty('The log is empty so far.'));
    const oldPre = out.querySelector('pre');
    const atBottom = !oldPre || oldPre.scrollTop + oldPre.clientHeight >= oldPre.scrollHeight - 4;
    const pre = h(
      'pre',
      { class: 'log', attrs: { tabindex: '0', 'aria-label': view.label } },
      view.lines.map((line) => h('span', { class: line.className, text: line.text })),
    );
    replace(
      out,
      h('p', { class: 'muted log-count', text: view.count }),
      view.none ? empty('No line matches the level and search.') : pre,
    );
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  };

  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    if (!out.hasChildNodes()) replace(out, loading('the log'));
    try {
      const r = await ctx.api.services.logs({
        source: source.value as Source,
        lines: Number(lines.value),
      });
      if (mine !== seq) return;
      available = r.available;
      reason = r.reason;
      entries = r.entries;
      render();
    } catch (err) {
      if (mine === seq)
        replace(
          out,
          errorNotice(err, () => void load()),
        );
    }
  };

  copy.addEventListener('click', async () => {
    const text = logText(shown(), false);
    try {
      await navigator.clipboard.writeText(text);
      replace(note, info(`Copied ${shown().length} lines.`, 'success'));
    } catch {
      // No clipboard permission (e.g. plain http on another host): select the text for Ctrl+C instead.
      const pre = out.querySelector('pre');
      if (pre) window.getSelection()?.selectAllChildren(pre);
      replace(note, info('The lines are selected: press Ctrl+C to copy them.'));
    }
  });
  download.addEventListener('click', () =>
    downloadText(logText(shown(), true), downloadName(source.value, new Date())),
  );

  source.addEventListener('change', () => {
    replace(out);
    void load();
  });
  lines.addEventListener('change', () => void load());
  level.addEventListener('change', render);
  search.addEventListener('input', render);
  const timer = window.setInterval(() => {
    if (follow.checked) void load();
  }, 5000);
  void load();
  return () => window.clearInterval(timer);
};

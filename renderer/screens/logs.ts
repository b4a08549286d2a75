/** Service logs: Nova's own recent lines and each server's log where its provider keeps one. */
import type { z } from 'zod';
import type { logSourceSchema } from '../../shared-contract/methods/services.js';
import { pageHeader } from '../app-shell.js';
import { textField } from '../components/field.js';
import { empty, errorNotice, loading } from '../components/notice.js';
import type { Screen } from '../context.js';
import { h, replace } from '../lib/dom.js';

type Source = z.infer<typeof logSourceSchema>;

const SOURCES: { value: Source; label: string }[] = [
  { value: 'app', label: 'Nova' },
  { value: 'postgres', label: 'PostgreSQL' },
  { value: 'mongo', label: 'MongoDB' },
  { value: 'redis', label: 'Redis' },
];

export const logsScreen: Screen = (ctx, host) => {
  const source = h(
    'select',
    {},
    SOURCES.map((s) => h('option', { attrs: { value: s.value }, text: s.label })),
  );
  const lines = h(
    'select',
    {},
    [100, 200, 500, 1000].map((n) =>
      h('option', { attrs: { value: n, selected: n === 200 }, text: `last ${n} lines` }),
    ),
  );
  const follow = h('input', { attrs: { type: 'checkbox', id: 'logs-follow', checked: true } });
  const refresh = h('button', { class: 'btn', text: 'Refresh', attrs: { type: 'button' } });
  const out = h('div', {});
  host.append(
    pageHeader('Service logs', 'Recent log lines; secrets are masked before they are shown.'),
    h(
      'div',
      { class: 'toolbar' },
      textField('Log', source),
      textField('Show', lines),
      h(
        'div',
        { class: 'checkbox' },
        follow,
        h('label', { attrs: { for: 'logs-follow' }, text: 'Refresh every 5 s' }),
      ),
      refresh,
    ),
    out,
  );

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
      if (!r.available) replace(out, empty('No log to show for this service.', r.reason));
      else if (r.lines.length === 0) replace(out, empty('The log is empty so far.'));
      else {
        const atBottom = (() => {
          const pre = out.querySelector('pre');
          return !pre || pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        })();
        const pre = h('pre', {
          class: 'log',
          attrs: { tabindex: '0', 'aria-label': `${source.selectedOptions[0]?.text ?? ''} log` },
          text: r.lines.join('\n'),
        });
        replace(out, pre);
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      }
    } catch (err) {
      if (mine === seq)
        replace(
          out,
          errorNotice(err, () => void load()),
        );
    }
  };
  source.addEventListener('change', () => {
    replace(out);
    void load();
  });
  lines.addEventListener('change', () => void load());
  refresh.addEventListener('click', () => void load());
  const timer = window.setInterval(() => {
    if (follow.checked) void load();
  }, 5000);
  void load();
  return () => window.clearInterval(timer);
};

/**
 * Setup's panels around the service choices, drawn from their models
 * (setup-screen-model.ts): what detection found, with "Use this server"
 * buttons, and what Save did. What a click does is setup.ts's.
 */
import type { ServiceNameDto } from '../../shared-contract/common.js';
import { info } from '../components/notice.js';
import { statusBadge } from '../components/status.js';
import { h, type Child } from '../lib/dom.js';
import type { ConnectionFields } from './setup-model.js';
import type { DetectionModel, OutcomeModel } from './setup-screen-model.js';

export function detectionPanel(
  m: DetectionModel,
  use: (service: ServiceNameDto, fields: ConnectionFields) => void,
): HTMLElement {
  return h(
    'div',
    {},
    m.found.length
      ? h(
          'ul',
          { class: 'found-list' },
          m.found.map((f) =>
            h(
              'li',
              { class: 'found', dataset: { service: f.service } },
              h(
                'div',
                {},
                h('strong', { text: f.title }),
                f.version ? h('span', { class: 'hint block', text: f.version }) : null,
              ),
              f.inUse
                ? statusBadge('ok', 'In use by Nova')
                : h('button', {
                    class: 'btn btn-primary',
                    text: f.useLabel,
                    attrs: { type: 'button' },
                    on: { click: () => use(f.service, f.fields) },
                  }),
            ),
          ),
        )
      : h('p', {
          class: 'muted',
          text: 'No database server answered on the usual ports (5432, 27017, 6379).',
        }),
    h(
      'div',
      { class: 'detect-grid' },
      h(
        'div',
        {},
        h('h3', { text: 'Docker' }),
        h('p', {}, statusBadge(m.docker.status, m.docker.badge)),
        h('p', { class: 'hint', text: m.docker.text }),
      ),
      h(
        'div',
        {},
        h('h3', { text: 'Server programs' }),
        h(
          'ul',
          { class: 'plain' },
          m.programs.map(({ name, version }) =>
            h(
              'li',
              {},
              `${name}: `,
              version ? version : h('span', { class: 'muted', text: 'not installed' }),
            ),
          ),
        ),
      ),
    ),
  );
}

/** After Save: which services did not start and why, every service's state, where to go next. */
export function saveOutcome(m: OutcomeModel): Child[] {
  return [
    m.failed.length
      ? h(
          'div',
          { class: 'notice notice-warning', attrs: { role: 'alert' } },
          h('p', { text: 'The setup was saved, but not everything started:' }),
          h(
            'ul',
            {},
            m.failed.map((f) =>
              h(
                'li',
                {},
                h('strong', { text: f.label }),
                f.message,
                f.fix ? h('p', { class: 'hint', text: f.fix }) : null,
              ),
            ),
          ),
        )
      : info('Setup saved. The services are running with the new choice.', 'success'),
    h(
      'ul',
      { class: 'inline-list' },
      m.services.map((s) => h('li', {}, s.label, statusBadge(s.state))),
    ),
    h(
      'p',
      {},
      h('a', { attrs: { href: '#/dashboard' }, text: 'Open the dashboard' }),
      ' · ',
      h('a', { attrs: { href: '#/migration' }, text: 'Migrate a legacy database' }),
    ),
  ];
}

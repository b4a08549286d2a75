/**
 * Setup: what is on this machine, with "Use this server" for a database
 * found listening; where each data service runs (options this machine
 * cannot run are shown disabled with the reason); then Save, which
 * restarts the services and the data layer with the new choice. On a
 * revisit the saved choice is shown, passwords masked, and unchanged
 * fields are kept as they are.
 */
import type { ProfileDto, ServiceNameDto } from '../../shared-contract/common.js';
import { pageHeader } from '../components/page-header.js';
import { errorNotice, info, loading } from '../components/notice.js';
import { statusBadge } from '../components/status.js';
import type { AppContext, Screen } from '../context.js';
import { append, h, replace } from '../lib/dom.js';
import { forScreen } from '../lib/screen-words.js';
import {
  foundServers,
  SERVICE_TEXT,
  type ConnectionFields,
  type Detection,
} from './setup-model.js';
import { serviceChoice, type ServiceChoice } from './setup-service.js';

const ORDER: ServiceNameDto[] = ['postgres', 'mongo', 'redis'];

export const setupScreen: Screen = (ctx, host) => {
  const detectHost = h('div', {}, loading('what is on this machine'));
  const formHost = h('div', {}, loading('the current setup'));
  const redetect = h('button', { class: 'btn', text: 'Detect again', attrs: { type: 'button' } });
  append(host, [
    pageHeader(
      'Setup',
      ctx.info.firstRun
        ? 'Welcome. Choose where each data service runs; you can change this later. Embedded needs nothing installed.'
        : 'Where each data service runs. Saving restarts the services with the new choice.',
    ),
    h(
      'section',
      { class: 'panel', attrs: { 'aria-labelledby': 'detect-h' } },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'detect-h', text: 'Found on this machine' }),
        redetect,
      ),
      detectHost,
    ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'choose-h' } },
      h('h2', { id: 'choose-h', text: 'Where each service runs' }),
      formHost,
    ),
  ]);

  let choices: ServiceChoice[] = [];
  let detection: Detection | null = null;
  const showDetection = () => {
    for (const c of choices) c.setDetection(detection);
    if (detection)
      replace(
        detectHost,
        renderDetection(detection, choices, (s, f) => choices.find((c) => c.service === s)?.use(f)),
      );
  };
  // Not disabled while busy: a disabled button drops out of the tab order under the keyboard user.
  let detecting = false;
  const detect = async () => {
    if (detecting) return;
    detecting = true;
    redetect.setAttribute('aria-busy', 'true');
    try {
      detection = await ctx.api.setup.detect();
      showDetection();
    } catch (err) {
      replace(
        detectHost,
        errorNotice(err, () => void detect()),
      );
    } finally {
      detecting = false;
      redetect.removeAttribute('aria-busy');
    }
  };
  redetect.addEventListener('click', () => {
    if (detecting) return;
    replace(detectHost, loading('what is on this machine'));
    void detect();
  });

  const load = async () => {
    try {
      const current = await ctx.api.setup.current();
      choices = ORDER.map((s) =>
        serviceChoice(
          ctx,
          s,
          current.services.find((c) => c.service === s),
        ),
      );
      replace(formHost, setupForm(ctx, choices));
      showDetection();
    } catch (err) {
      replace(
        formHost,
        errorNotice(err, () => void load()),
      );
    }
  };
  void load();
  void detect();
};

function setupForm(ctx: AppContext, choices: ServiceChoice[]): HTMLElement {
  const result = h('div', { attrs: { 'aria-live': 'polite' } });
  const save = h('button', {
    class: 'btn btn-primary',
    text: 'Save and start services',
    attrs: { type: 'submit' },
  });
  const form = h(
    'form',
    { class: 'setup-form', attrs: { novalidate: true } },
    choices.map((c) => c.element),
    h(
      'div',
      { class: 'actions sticky-actions' },
      save,
      h('span', {
        class: 'hint',
        text: 'Saving restarts the data services; it takes a few seconds.',
      }),
    ),
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const profiles = Object.fromEntries(choices.map((c) => [c.service, c.profile()])) as Record<
      ServiceNameDto,
      ProfileDto
    >;
    const urls: Partial<Record<ServiceNameDto, string>> = {};
    const connections: Partial<Record<ServiceNameDto, ConnectionFields>> = {};
    for (const c of choices) {
      const given = c.read();
      if (given === null) {
        replace(
          result,
          info(`Check the ${SERVICE_TEXT[c.service].label} fields marked above.`, 'warning'),
        );
        return;
      }
      if (given.url) urls[c.service] = given.url;
      if (given.connection) connections[c.service] = given.connection;
    }
    save.disabled = true;
    save.textContent = 'Saving and starting…';
    replace(result, loading('the services with the new setup'));
    try {
      const outcome = await ctx.api.setup.apply({ profiles, urls, connections });
      await ctx.refreshInfo();
      replace(
        result,
        outcome.failed.length
          ? h(
              'div',
              { class: 'notice notice-warning', attrs: { role: 'alert' } },
              h('p', { text: 'The setup was saved, but not everything started:' }),
              h(
                'ul',
                {},
                outcome.failed.map((f) =>
                  h(
                    'li',
                    {},
                    h('strong', { text: `${SERVICE_TEXT[f.service].label}: ` }),
                    forScreen(f.message),
                    f.fix ? h('p', { class: 'hint', text: forScreen(f.fix) }) : null,
                  ),
                ),
              ),
            )
          : info('Setup saved. The services are running with the new choice.', 'success'),
        h(
          'ul',
          { class: 'inline-list' },
          outcome.services.map((s) =>
            h('li', {}, `${SERVICE_TEXT[s.service].label} `, statusBadge(s.state)),
          ),
        ),
        h(
          'p',
          {},
          h('a', { attrs: { href: '#/dashboard' }, text: 'Open the dashboard' }),
          ' · ',
          h('a', { attrs: { href: '#/migration' }, text: 'Migrate a legacy database' }),
        ),
      );
      ctx.announce(outcome.failed.length ? 'Setup saved with problems' : 'Setup saved');
    } catch (err) {
      replace(result, errorNotice(err));
    } finally {
      save.disabled = false;
      save.textContent = 'Save and start services';
    }
  });
  return form;
}

function renderDetection(
  d: Detection,
  choices: ServiceChoice[],
  use: (service: ServiceNameDto, fields: ConnectionFields) => void,
): HTMLElement {
  const inUse = (service: ServiceNameDto, host: string, port: number) => {
    const saved = choices.find((c) => c.service === service)?.inUse();
    return saved !== null && saved !== undefined && saved.host === host && saved.port === port;
  };
  const docker =
    d.docker.engine === 'running'
      ? `Docker ${d.docker.client ?? ''} is running${d.docker.compose ? '' : ', without Compose'}.`
      : (d.docker.reason ??
        (d.docker.engine === 'not-running'
          ? 'Docker is installed but not running.'
          : 'Docker is not installed.'));
  const found = foundServers(d);
  const programs: [string, string | undefined][] = [
    ['PostgreSQL', d.binaries.postgres ? (d.binaries.postgres.version ?? 'installed') : undefined],
    [
      'Redis',
      d.binaries['redis-server'] ? (d.binaries['redis-server'].version ?? 'installed') : undefined,
    ],
    ['MongoDB', d.binaries.mongod ? (d.binaries.mongod.version ?? 'installed') : undefined],
  ];
  return h(
    'div',
    {},
    found.length
      ? h(
          'ul',
          { class: 'found-list' },
          found.map((f) =>
            h(
              'li',
              { class: 'found', dataset: { service: f.service } },
              h(
                'div',
                {},
                h('strong', { text: `${SERVICE_TEXT[f.service].label} on ${f.host}:${f.port}` }),
                f.version
                  ? h('span', {
                      class: 'hint block',
                      text: `Version ${f.version}; it answered as ${SERVICE_TEXT[f.service].label}.`,
                    })
                  : null,
              ),
              inUse(f.service, f.host, f.port)
                ? statusBadge('ok', 'In use by Nova')
                : h('button', {
                    class: 'btn btn-primary',
                    text: `Use the ${SERVICE_TEXT[f.service].label} found on ${f.host}:${f.port}`,
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
        h(
          'p',
          {},
          statusBadge(
            d.docker.engine === 'running' ? 'ok' : 'stopped',
            d.docker.engine === 'running' ? 'Available' : 'Not available',
          ),
        ),
        h('p', { class: 'hint', text: docker }),
      ),
      h(
        'div',
        {},
        h('h3', { text: 'Server programs' }),
        h(
          'ul',
          { class: 'plain' },
          programs.map(([name, version]) =>
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

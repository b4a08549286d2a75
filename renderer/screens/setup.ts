/**
 * First-run setup (SPEC §8): what is on this machine, a profile per
 * service with a connection test, then save — which restarts the services
 * and the data layer with the new choice.
 */
import type { z } from 'zod';
import type { ProfileDto, ServiceNameDto } from '../../shared-contract/common.js';
import type { detectionSchema } from '../../shared-contract/methods/setup.js';
import { pageHeader } from '../app-shell.js';
import { textField } from '../components/field.js';
import { errorNotice, info, loading, withStates } from '../components/notice.js';
import { statusBadge } from '../components/status.js';
import type { Screen } from '../context.js';
import { append, h, replace, uid } from '../lib/dom.js';
import { formatLatency } from '../lib/format.js';

type Detection = z.infer<typeof detectionSchema>;

const SERVICES: { name: ServiceNameDto; label: string; role: string; placeholder: string }[] = [
  {
    name: 'postgres',
    label: 'PostgreSQL',
    role: 'Relational data (tickets, users, configuration)',
    placeholder: 'postgres://user:password@db.example.org:5432/nova',
  },
  {
    name: 'mongo',
    label: 'MongoDB',
    role: 'Documents and the audit trail',
    placeholder: 'mongodb://user:password@db.example.org:27017/nova',
  },
  {
    name: 'redis',
    label: 'Redis',
    role: 'Cache and sessions',
    placeholder: 'redis://:password@cache.example.org:6379',
  },
];

const PROFILES: { value: ProfileDto; label: string; hint: Record<ServiceNameDto, string> }[] = [
  {
    value: 'embedded',
    label: 'Embedded',
    hint: {
      postgres: 'SQLite file in the data directory; nothing to install.',
      mongo: 'Stored next to the relational data.',
      redis: 'In-process cache.',
    },
  },
  {
    value: 'docker',
    label: 'Docker',
    hint: {
      postgres: 'A PostgreSQL container started by Nova.',
      mongo: 'A MongoDB container started by Nova.',
      redis: 'A Redis container started by Nova.',
    },
  },
  {
    value: 'native',
    label: 'Native',
    hint: {
      postgres: 'A private cluster run from the installed PostgreSQL programs.',
      mongo: 'The installed mongod; without it, PostgreSQL JSONB.',
      redis: 'The installed redis-server.',
    },
  },
  {
    value: 'external',
    label: 'External',
    hint: {
      postgres: 'A server you already run; give its URL.',
      mongo: 'A server you already run; give its URL.',
      redis: 'A server you already run; give its URL.',
    },
  },
];

export const setupScreen: Screen = (ctx, host) => {
  const detectHost = h('div', {});
  const redetect = h('button', { class: 'btn', text: 'Detect again', attrs: { type: 'button' } });
  const choices = new Map<ServiceNameDto, { profile: () => ProfileDto; url: HTMLInputElement }>();
  const result = h('div', { attrs: { 'aria-live': 'polite' } });
  const save = h('button', {
    class: 'btn btn-primary',
    text: 'Save and start services',
    attrs: { type: 'submit' },
  });

  const form = h(
    'form',
    { class: 'setup-form', attrs: { novalidate: true } },
    SERVICES.map((s) => serviceFieldset(ctx, s, choices)),
    h('div', { class: 'actions' }, save),
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const profiles = Object.fromEntries(
      SERVICES.map((s) => [s.name, choices.get(s.name)!.profile()]),
    ) as Record<ServiceNameDto, ProfileDto>;
    const urls: Partial<Record<ServiceNameDto, string>> = {};
    for (const s of SERVICES) {
      const value = choices.get(s.name)!.url.value.trim();
      if (profiles[s.name] === 'external' && value) urls[s.name] = value;
    }
    save.disabled = true;
    save.textContent = 'Saving and starting…';
    replace(result, loading('the services with the new setup'));
    try {
      const outcome = await ctx.api.setup.apply({ profiles, urls });
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
                    h('strong', { text: `${f.service}: ` }),
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
          outcome.services.map((s) =>
            h('li', {}, `${s.service} (${s.provider}) `, statusBadge(s.state)),
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
      h('h2', { id: 'choose-h', text: 'Choose a profile per service' }),
      form,
    ),
  ]);
  const reload = withStates(
    detectHost,
    'detection results',
    () => ctx.api.setup.detect(),
    renderDetection,
  );
  redetect.addEventListener('click', () => {
    replace(detectHost);
    void reload();
  });
};

function serviceFieldset(
  ctx: Parameters<Screen>[0],
  s: (typeof SERVICES)[number],
  choices: Map<ServiceNameDto, { profile: () => ProfileDto; url: HTMLInputElement }>,
): HTMLElement {
  const name = uid(`profile-${s.name}`);
  const current = ctx.info.profiles[s.name];
  const url = h('input', {
    attrs: {
      type: 'text',
      inputmode: 'url',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: s.placeholder,
      name: `${s.name}-url`,
    },
  });
  const urlField = textField(
    `${s.label} connection URL`,
    url,
    'The password is stored in the private settings file of the data directory and never shown again.',
  );
  const radios = PROFILES.map((p) => {
    const id = uid('radio');
    const input = h('input', {
      id,
      attrs: { type: 'radio', name, value: p.value, checked: p.value === current },
    });
    return {
      input,
      el: h(
        'div',
        { class: 'radio' },
        input,
        h(
          'label',
          { attrs: { for: id } },
          h('span', { class: 'radio-label', text: p.label }),
          h('span', { class: 'hint', text: p.hint[s.name] }),
        ),
      ),
    };
  });
  const profile = () =>
    (radios.find((r) => r.input.checked)?.input.value ?? 'embedded') as ProfileDto;
  const sync = () => (urlField.hidden = profile() !== 'external');
  radios.forEach((r) => r.input.addEventListener('change', sync));
  sync();
  choices.set(s.name, { profile, url });

  const testResult = h('p', { class: 'test-result', attrs: { role: 'status' } });
  const test = h('button', {
    class: 'btn',
    text: 'Test connection',
    attrs: { type: 'button', 'aria-label': `Test the ${s.label} connection` },
  });
  test.addEventListener('click', async () => {
    test.disabled = true;
    replace(testResult, 'Testing…');
    try {
      const value = url.value.trim();
      const r = await ctx.api.setup.testConnection({
        service: s.name,
        profile: profile(),
        ...(profile() === 'external' && value ? { url: value } : {}),
      });
      replace(
        testResult,
        statusBadge(r.ok ? 'ok' : 'down', r.ok ? 'Works' : 'Failed'),
        ` ${r.detail}`,
        r.latencyMs !== null ? ` (${formatLatency(r.latencyMs)})` : '',
        r.fix ? h('span', { class: 'hint block', text: r.fix }) : null,
      );
    } catch (err) {
      replace(testResult, errorNotice(err));
    } finally {
      test.disabled = false;
    }
  });

  return h(
    'fieldset',
    { class: 'service-choice', dataset: { service: s.name } },
    h(
      'legend',
      {},
      h('span', { class: 'legend-title', text: s.label }),
      h('span', { class: 'legend-role', text: s.role }),
    ),
    h(
      'div',
      { class: 'radio-group', attrs: { role: 'radiogroup', 'aria-label': `${s.label} profile` } },
      radios.map((r) => r.el),
    ),
    urlField,
    h('div', { class: 'test-row' }, test, testResult),
  );
}

function renderDetection(d: Detection): HTMLElement {
  // The reason, when there is one, already says what is wrong in full.
  const docker =
    d.docker.engine === 'running'
      ? `Docker ${d.docker.client ?? ''} running${d.docker.compose ? `, Compose ${d.docker.compose}` : ', no Compose'}.`
      : (d.docker.reason ??
        (d.docker.engine === 'not-running'
          ? 'Docker is installed but not running.'
          : 'Docker is not installed.'));
  return h(
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
        Object.entries(d.binaries).map(([name, found]) =>
          h(
            'li',
            {},
            h('code', { text: name }),
            ': ',
            found
              ? `${found.version ?? 'found'} — ${found.path}`
              : h('span', { class: 'muted', text: 'not found' }),
          ),
        ),
      ),
    ),
    h(
      'div',
      {},
      h('h3', { text: 'Servers already listening' }),
      d.listening.length
        ? h(
            'ul',
            { class: 'plain' },
            d.listening.map((l) =>
              h(
                'li',
                {},
                statusBadge(
                  l.confirmed ? 'ok' : 'degraded',
                  l.confirmed ? 'Confirmed' : 'Unconfirmed',
                ),
                ` ${l.service} on ${l.host}:${l.port}${l.version ? ` (version ${l.version})` : ''}`,
                h('span', { class: 'hint block', text: l.detail }),
              ),
            ),
          )
        : h('p', { class: 'muted', text: 'None on the usual ports (5432, 27017, 6379).' }),
    ),
  );
}

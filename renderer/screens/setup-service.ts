/**
 * One service in Setup: the options this machine offers (a disabled one
 * says why), and for an external server the fields — host, port, database,
 * user and a masked password (a saved one is kept unless typed over) — or,
 * as an advanced option, a connection URL. Any change clears the previous
 * test result, so an old "Works" never stands next to new values.
 */
import type { ProfileDto, ServiceNameDto } from '../../shared-contract/common.js';
import { errorNotice } from '../components/notice.js';
import { statusBadge } from '../components/status.js';
import type { AppContext } from '../context.js';
import { h, replace, uid } from '../lib/dom.js';
import { formatLatency } from '../lib/format.js';
import { forScreen } from '../lib/screen-words.js';
import {
  DEFAULT_PORTS,
  profileOptions,
  readConnection,
  SERVICE_TEXT,
  type ConnectionFields,
  type Detection,
  type FieldValues,
  type SetupCurrent,
} from './setup-model.js';

export interface ServiceChoice {
  element: HTMLElement;
  service: ServiceNameDto;
  profile(): ProfileDto;
  /** What Save sends for this service, or null after showing the problems beside the fields. */
  read(): { url?: string; connection?: ConnectionFields } | null;
  /** "Use this server": External with these values. */
  use(fields: ConnectionFields): void;
  setDetection(d: Detection | null): void;
  locked: boolean;
  /** The external server saved for this service now, if that is what it uses. */
  inUse(): { host: string; port: number } | null;
}

function input(
  type: string,
  attrs: Record<string, string | number | boolean> = {},
): HTMLInputElement {
  return h('input', { attrs: { type, autocomplete: 'off', spellcheck: 'false', ...attrs } });
}

function field(
  label: string,
  control: HTMLInputElement,
  hint?: string,
): { el: HTMLElement; error: HTMLElement } {
  control.id ||= uid('f');
  const error = h('p', { class: 'field-error', id: uid('err'), attrs: { hidden: true } });
  const hintEl = hint ? h('p', { class: 'hint', id: uid('hint'), text: hint }) : null;
  control.setAttribute('aria-describedby', [hintEl?.id, error.id].filter(Boolean).join(' '));
  return {
    el: h(
      'div',
      { class: 'field' },
      h('label', { attrs: { for: control.id }, text: label }),
      control,
      hintEl,
      error,
    ),
    error,
  };
}

export function serviceChoice(
  ctx: AppContext,
  service: ServiceNameDto,
  current: SetupCurrent['services'][number] | undefined,
): ServiceChoice {
  const { label, role } = SERVICE_TEXT[service];
  const name = uid(`profile-${service}`);
  const saved = current?.connection ?? null;
  const locked = current?.locked ?? false;
  const host = input('text', { name: `${service}-host`, value: saved?.host ?? '' });
  const port = input('number', {
    name: `${service}-port`,
    min: 1,
    max: 65535,
    value: saved?.port ?? DEFAULT_PORTS[service],
  });
  const database = input('text', { name: `${service}-database`, value: saved?.database ?? 'nova' });
  const user = input('text', { name: `${service}-user`, value: saved?.user ?? '' });
  const password = input('password', {
    name: `${service}-password`,
    autocomplete: 'new-password',
    placeholder: saved?.hasPassword ? '•••••••• (saved; type to replace)' : '',
  });
  const url = input('text', {
    name: `${service}-url`,
    inputmode: 'url',
    placeholder:
      service === 'postgres'
        ? 'postgres://user:password@host:5432/nova'
        : service === 'mongo'
          ? 'mongodb://user:password@host:27017/'
          : 'redis://:password@host:6379',
  });
  let passwordChanged = false;
  password.addEventListener('input', () => (passwordChanged = true));

  const fields = {
    host: field('Server', host, 'Name or address, e.g. db.example.org or 127.0.0.1.'),
    port: field('Port', port),
    database: field('Database', database),
    user: field('User name', user),
    password: field(
      'Password',
      password,
      saved?.hasPassword
        ? 'A password is saved. Leave this empty to keep it.'
        : 'Stored only in Nova’s private settings file.',
    ),
    url: field(
      `${label} connection URL`,
      url,
      'Replaces the fields above when filled in; the password in it is kept private.',
    ),
  };
  const advanced = h(
    'details',
    { class: 'advanced' },
    h('summary', { text: 'Use a connection URL instead' }),
    fields.url.el,
  );
  const external = h(
    'div',
    { class: 'external-fields' },
    h(
      'div',
      { class: 'grid-fields' },
      fields.host.el,
      fields.port.el,
      service === 'postgres' ? fields.database.el : null,
      fields.user.el,
      fields.password.el,
    ),
    advanced,
  );

  const optionsHost = h('div', {
    class: 'radio-group',
    attrs: { role: 'radiogroup', 'aria-label': `Where ${label} runs` },
  });
  const radios: HTMLInputElement[] = [];
  let detection: Detection | null = null;
  let chosen: ProfileDto = current?.profile ?? 'embedded';
  const renderOptions = () => {
    radios.length = 0;
    replace(
      optionsHost,
      profileOptions(service, detection).map((o) => {
        const id = uid('radio');
        const hintId = uid('hint');
        const radio = h('input', {
          id,
          attrs: {
            type: 'radio',
            name,
            value: o.value,
            checked: o.value === chosen,
            // A saved choice stays selectable even when its prerequisite went missing.
            disabled: locked || (o.disabledReason !== undefined && o.value !== chosen),
            'aria-describedby': hintId,
          },
        });
        radio.addEventListener('change', () => {
          chosen = o.value;
          sync();
        });
        radios.push(radio);
        return h(
          'div',
          { class: `radio${radio.disabled ? ' radio-disabled' : ''}` },
          radio,
          h(
            'div',
            { class: 'radio-text' },
            h('label', { class: 'radio-label', attrs: { for: id }, text: o.label }),
            h('span', {
              class: 'hint',
              id: hintId,
              text: o.disabledReason ? `Not available: ${o.disabledReason}` : o.hint,
            }),
          ),
        );
      }),
    );
  };

  const testResult = h('div', { class: 'test-result', attrs: { role: 'status' } });
  const test = h('button', {
    class: 'btn',
    text: `Test ${label} connection`,
    attrs: { type: 'button', disabled: locked },
  });
  const clearResult = () => replace(testResult);
  const sync = () => {
    external.hidden = chosen !== 'external';
    clearResult();
  };
  for (const el of [host, port, database, user, password, url])
    el.addEventListener('input', clearResult);

  const values = (): FieldValues => ({
    host: host.value,
    port: port.value,
    database: database.value,
    user: user.value,
    password: password.value,
    passwordChanged,
    url: url.value,
  });
  const read = (): { url?: string; connection?: ConnectionFields } | null => {
    for (const f of Object.values(fields)) {
      f.error.hidden = true;
      f.error.textContent = '';
    }
    if (chosen !== 'external') return {};
    // Nothing typed and a server saved: keep it as it is.
    if (
      saved &&
      !url.value &&
      host.value === saved.host &&
      Number(port.value) === saved.port &&
      !passwordChanged &&
      user.value === (saved.user ?? '') &&
      (service !== 'postgres' || database.value === (saved.database ?? ''))
    )
      return {};
    const r = readConnection(service, values());
    const problems = Object.entries(r.errors);
    for (const [key, message] of problems) {
      const f = fields[key as keyof typeof fields];
      f.error.textContent = message;
      f.error.hidden = false;
    }
    if (problems.length) {
      (
        fields[problems[0]![0] as keyof typeof fields].el.querySelector('input') as HTMLInputElement
      ).focus();
      return null;
    }
    return {
      ...(r.url ? { url: r.url } : {}),
      ...(r.connection ? { connection: r.connection } : {}),
    };
  };

  test.addEventListener('click', async () => {
    const given = read();
    if (given === null) return;
    test.disabled = true;
    replace(testResult, 'Testing…');
    try {
      const r = await ctx.api.setup.testConnection({ service, profile: chosen, ...given });
      replace(
        testResult,
        h(
          'p',
          {},
          statusBadge(r.ok ? 'ok' : 'down', r.ok ? 'Works' : 'Failed'),
          ` ${forScreen(r.detail)}`,
          r.latencyMs !== null ? ` (${formatLatency(r.latencyMs)})` : '',
        ),
        r.fix ? h('p', { class: 'hint', text: forScreen(r.fix) }) : null,
      );
    } catch (err) {
      replace(testResult, errorNotice(err));
    } finally {
      test.disabled = false;
    }
  });

  renderOptions();
  sync();
  const element = h(
    'fieldset',
    { class: 'service-choice', dataset: { service }, attrs: { disabled: locked } },
    h(
      'legend',
      {},
      h('span', { class: 'legend-title', text: label }),
      h('span', { class: 'legend-role', text: role }),
    ),
    locked
      ? h('p', {
          class: 'notice notice-warning',
          text: `Where ${label} runs is set outside Nova (its environment, a .env file or its command line), so it cannot be changed here.`,
        })
      : null,
    optionsHost,
    external,
    h('div', { class: 'test-row' }, test, testResult),
  );
  return {
    element,
    service,
    locked,
    profile: () => chosen,
    read,
    inUse: () =>
      current?.profile === 'external' && saved ? { host: saved.host, port: saved.port } : null,
    use(f) {
      chosen = 'external';
      host.value = f.host;
      port.value = String(f.port);
      if (f.database !== undefined) database.value = f.database;
      user.value = f.user ?? '';
      url.value = '';
      renderOptions();
      sync();
      host.focus();
    },
    setDetection(d) {
      detection = d;
      renderOptions();
    },
  };
}

/**
 * One service in Setup: the options this machine offers (a disabled one
 * says why), and for an external server the fields — host, port, database,
 * user and a masked password (a saved one is kept unless typed over) — or,
 * as an advanced option, a connection URL. Any change clears the previous
 * test result, so an old "Works" never stands next to new values. What it
 * shows and sends is setup-service-model.ts; the elements are
 * setup-service-fields.ts; this module wires the inputs and the test.
 */
import type { ProfileDto, ServiceNameDto } from '../../shared-contract/common.js';
import { errorNotice } from '../components/notice.js';
import type { AppContext } from '../context.js';
import { h, replace, uid } from '../lib/dom.js';
import type { ConnectionFields, Detection, FieldValues } from './setup-model.js';
import {
  externalFields,
  field,
  input,
  optionRadios,
  serviceFieldset,
  testResultView,
} from './setup-service-fields.js';
import {
  optionRows,
  serverInUse,
  servicePanelModel,
  serviceRequest,
  testResultModel,
  type CurrentService,
  type ServiceRequest,
} from './setup-service-model.js';

export interface ServiceChoice {
  element: HTMLElement;
  service: ServiceNameDto;
  profile(): ProfileDto;
  /** What Save sends for this service, or null after showing the problems beside the fields. */
  read(): ServiceRequest | null;
  /** "Use this server": External with these values. */
  use(fields: ConnectionFields): void;
  setDetection(d: Detection | null): void;
  locked: boolean;
  /** The external server saved for this service now, if that is what it uses. */
  inUse(): { host: string; port: number } | null;
}

export function serviceChoice(
  ctx: AppContext,
  service: ServiceNameDto,
  current: CurrentService | undefined,
): ServiceChoice {
  const m = servicePanelModel(service, current);
  const name = uid(`profile-${service}`);
  const saved = current?.connection ?? null;
  const host = input('text', { name: `${service}-host`, value: m.initial.host });
  const port = input('number', {
    name: `${service}-port`,
    min: 1,
    max: 65535,
    value: m.initial.port,
  });
  const database = input('text', { name: `${service}-database`, value: m.initial.database });
  const user = input('text', { name: `${service}-user`, value: m.initial.user });
  const password = input('password', {
    name: `${service}-password`,
    autocomplete: 'new-password',
    placeholder: m.passwordPlaceholder,
  });
  const url = input('text', {
    name: `${service}-url`,
    inputmode: 'url',
    placeholder: m.urlPlaceholder,
  });
  let passwordChanged = false;
  password.addEventListener('input', () => (passwordChanged = true));

  const fields = {
    host: field('Server', host, 'Name or address, e.g. db.example.org or 127.0.0.1.'),
    port: field('Port', port),
    database: field('Database', database),
    user: field('User name', user),
    password: field('Password', password, m.passwordHint),
    url: field(
      `${m.label} connection URL`,
      url,
      'Replaces the fields above when filled in; the password in it is kept private.',
    ),
  };
  const external = externalFields(m, fields);

  const optionsHost = h('div', {
    class: 'radio-group',
    attrs: { role: 'radiogroup', 'aria-label': `Where ${m.label} runs` },
  });
  let detection: Detection | null = null;
  let chosen: ProfileDto = m.profile;
  const renderOptions = () => {
    replace(
      optionsHost,
      optionRadios(optionRows(service, detection, chosen, m.locked), name, (value) => {
        chosen = value;
        sync();
      }),
    );
  };

  const testResult = h('div', { class: 'test-result', attrs: { role: 'status' } });
  const test = h('button', {
    class: 'btn',
    text: `Test ${m.label} connection`,
    attrs: { type: 'button', disabled: m.locked },
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
  const read = (): ServiceRequest | null => {
    for (const f of Object.values(fields)) {
      f.error.hidden = true;
      f.error.textContent = '';
    }
    const r = serviceRequest(service, chosen, saved, values());
    const problems = Object.entries(r.errors);
    for (const [key, message] of problems) {
      const f = fields[key as keyof typeof fields];
      f.error.textContent = message;
      f.error.hidden = false;
    }
    if (problems.length)
      (
        fields[problems[0]![0] as keyof typeof fields].el.querySelector('input') as HTMLInputElement
      ).focus();
    return r.send;
  };

  test.addEventListener('click', async () => {
    const given = read();
    if (given === null) return;
    test.disabled = true;
    replace(testResult, 'Testing…');
    try {
      const r = await ctx.api.setup.testConnection({ service, profile: chosen, ...given });
      replace(testResult, ...testResultView(testResultModel(r)));
    } catch (err) {
      replace(testResult, errorNotice(err));
    } finally {
      test.disabled = false;
    }
  });

  renderOptions();
  sync();
  const element = serviceFieldset(
    service,
    m,
    optionsHost,
    external,
    h('div', { class: 'test-row' }, test, testResult),
  );
  return {
    element,
    service,
    locked: m.locked,
    profile: () => chosen,
    read,
    inUse: () => serverInUse(current),
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

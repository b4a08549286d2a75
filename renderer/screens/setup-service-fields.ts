/**
 * The elements of one Setup service panel, drawn from its model
 * (setup-service-model.ts): labelled inputs with their hint and error
 * slot, the option radios, the fields of an external server with the
 * connection URL folded away, a test result, and the fieldset around it
 * all. What the inputs and buttons do is setup-service.ts's.
 */
import type { ProfileDto, ServiceNameDto } from '../../shared-contract/common.js';
import { statusBadge } from '../components/status.js';
import { h, uid, type Child } from '../lib/dom.js';
import type { OptionRow, ServicePanelModel, TestResultModel } from './setup-service-model.js';

export function input(
  type: string,
  attrs: Record<string, string | number | boolean> = {},
): HTMLInputElement {
  return h('input', { attrs: { type, autocomplete: 'off', spellcheck: 'false', ...attrs } });
}

export interface Field {
  el: HTMLElement;
  error: HTMLElement;
}

export function field(label: string, control: HTMLInputElement, hint?: string): Field {
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

/** The option radios, one group by `name`; `choose` hears the one picked. */
export function optionRadios(
  rows: OptionRow[],
  name: string,
  choose: (value: ProfileDto) => void,
): HTMLElement[] {
  return rows.map((o) => {
    const id = uid('radio');
    const hintId = uid('hint');
    const radio = h('input', {
      id,
      attrs: {
        type: 'radio',
        name,
        value: o.value,
        checked: o.checked,
        disabled: o.disabled,
        'aria-describedby': hintId,
      },
    });
    radio.addEventListener('change', () => choose(o.value));
    return h(
      'div',
      { class: `radio${o.disabled ? ' radio-disabled' : ''}` },
      radio,
      h(
        'div',
        { class: 'radio-text' },
        h('label', { class: 'radio-label', attrs: { for: id }, text: o.label }),
        h('span', { class: 'hint', id: hintId, text: o.hint }),
      ),
    );
  });
}

/** An external server's fields (the database for PostgreSQL only), the URL folded away. */
export function externalFields(
  m: ServicePanelModel,
  f: Record<'host' | 'port' | 'database' | 'user' | 'password' | 'url', Field>,
): HTMLElement {
  return h(
    'div',
    { class: 'external-fields' },
    h(
      'div',
      { class: 'grid-fields' },
      f.host.el,
      f.port.el,
      m.showDatabase ? f.database.el : null,
      f.user.el,
      f.password.el,
    ),
    h(
      'details',
      { class: 'advanced' },
      h('summary', { text: 'Use a connection URL instead' }),
      f.url.el,
    ),
  );
}

export function testResultView(r: TestResultModel): Child[] {
  return [
    h('p', {}, statusBadge(r.status, r.badge), r.detail, r.latency),
    r.fix ? h('p', { class: 'hint', text: r.fix }) : null,
  ];
}

export function serviceFieldset(
  service: ServiceNameDto,
  m: ServicePanelModel,
  ...parts: HTMLElement[]
): HTMLElement {
  return h(
    'fieldset',
    { class: 'service-choice', dataset: { service }, attrs: { disabled: m.locked } },
    h(
      'legend',
      {},
      h('span', { class: 'legend-title', text: m.label }),
      h('span', { class: 'legend-role', text: m.role }),
    ),
    m.lockedNotice ? h('p', { class: 'notice notice-warning', text: m.lockedNotice }) : null,
    parts,
  );
}

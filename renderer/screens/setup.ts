/**
 * Setup: what is on this machine, with "Use this server" for a database
 * found listening; where each data service runs (options this machine
 * cannot run are shown disabled with the reason); then Save, which
 * restarts the services and the data layer with the new choice. On a
 * revisit the saved choice is shown, passwords masked, and unchanged
 * fields are kept as they are. What the panels say is computed in
 * setup-screen-model.ts and setup-service-model.ts; this module wires
 * detection, loading and Save.
 */
import type { ProfileDto, ServiceNameDto } from '../../shared-contract/common.js';
import { pageHeader } from '../components/page-header.js';
import { errorNotice, info, loading } from '../components/notice.js';
import type { AppContext, Screen } from '../context.js';
import { append, h, replace } from '../lib/dom.js';
import type { ConnectionFields, Detection } from './setup-model.js';
import { detectionPanel, saveOutcome } from './setup-panels.js';
import { detectionModel, fieldsProblem, outcomeModel, setupIntro } from './setup-screen-model.js';
import { serviceChoice, type ServiceChoice } from './setup-service.js';

const ORDER: ServiceNameDto[] = ['postgres', 'mongo', 'redis'];

export const setupScreen: Screen = (ctx, host) => {
  const detectHost = h('div', {}, loading('what is on this machine'));
  const formHost = h('div', {}, loading('the current setup'));
  const redetect = h('button', { class: 'btn', text: 'Detect again', attrs: { type: 'button' } });
  append(host, [
    pageHeader('Setup', setupIntro(ctx.info.firstRun)),
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
        detectionPanel(
          detectionModel(detection, Object.fromEntries(choices.map((c) => [c.service, c.inUse()]))),
          (s, f) => choices.find((c) => c.service === s)?.use(f),
        ),
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
        replace(result, info(fieldsProblem(c.service), 'warning'));
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
      const m = outcomeModel(outcome);
      replace(result, ...saveOutcome(m));
      ctx.announce(m.announce);
    } catch (err) {
      replace(result, errorNotice(err));
    } finally {
      save.disabled = false;
      save.textContent = 'Save and start services';
    }
  });
  return form;
}

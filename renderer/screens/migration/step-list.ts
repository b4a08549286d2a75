/**
 * The wizard's numbered step list, drawn from its model (wizard-model.ts):
 * the current step is marked for assistive tech, a done one says so in
 * words as well as by its class. wizard.ts puts it in place on every step.
 */
import { h } from '../../lib/dom.js';
import type { StepItem } from './wizard-model.js';

export function stepListItems(items: StepItem[]): HTMLElement[] {
  return items.map((s) =>
    h(
      'li',
      {
        class: s.mark === 'todo' ? '' : s.mark,
        attrs: { 'aria-current': s.mark === 'current' ? 'step' : null },
      },
      h('span', { class: 'step-num', text: s.num, attrs: { 'aria-hidden': 'true' } }),
      h('span', { text: s.label }),
      s.mark === 'done' ? h('span', { class: 'sr-only', text: ' (done)' }) : null,
    ),
  );
}

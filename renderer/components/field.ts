/** Form fields with their label and description wired for assistive tech. */
import { h, uid } from '../lib/dom.js';

export function textField(
  label: string,
  input: HTMLInputElement | HTMLSelectElement,
  hint?: string,
): HTMLElement {
  input.id ||= uid('field');
  const hintId = hint ? uid('hint') : undefined;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field' },
    h('label', { attrs: { for: input.id }, text: label }),
    input,
    hint ? h('p', { id: hintId, class: 'hint', text: hint }) : null,
  );
}

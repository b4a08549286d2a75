/** A labelled progress bar: the native <progress> element, so assistive tech reads it as one. */
import { h, uid } from '../lib/dom.js';

export function progressBar(label: string, done: number, total: number | null): HTMLElement {
  const id = uid('progress');
  const bar = h('progress', {
    id,
    attrs: { max: total ?? undefined, value: total === null ? undefined : Math.min(done, total) },
  });
  if (total === null) bar.removeAttribute('value'); // indeterminate
  return h(
    'div',
    { class: 'progress' },
    h('label', { attrs: { for: id }, class: 'sr-only', text: label }),
    bar,
  );
}

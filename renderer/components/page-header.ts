/** Header of a screen: the h1 the shell focuses, and what the screen is for. */
import { h } from '../lib/dom.js';

export function pageHeader(title: string, description: string, ...actions: Node[]): HTMLElement {
  return h(
    'header',
    { class: 'page-header' },
    h('div', {}, h('h1', { text: title }), h('p', { class: 'lead', text: description })),
    actions.length ? h('div', { class: 'page-actions' }, ...actions) : null,
  );
}

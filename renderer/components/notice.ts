/** The three states every screen has besides "content": loading, empty, error. */
import { ContractError } from '../api/contract-error.js';
import { h, replace } from '../lib/dom.js';
import { forScreen } from '../lib/screen-words.js';

export function loading(what: string): HTMLElement {
  return h(
    'p',
    { class: 'state state-loading', attrs: { role: 'status' } },
    h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
    `Loading ${what}…`,
  );
}

export function empty(message: string, hint?: string): HTMLElement {
  return h(
    'div',
    { class: 'state state-empty' },
    h('p', { text: message }),
    hint ? h('p', { class: 'muted', text: hint }) : null,
  );
}

/** An error as the contract carries it: what is wrong, what to do, and the code to search for. */
export function errorNotice(err: unknown, retry?: () => void): HTMLElement {
  const e = ContractError.from(err);
  // "Not available yet" is a limit of this build, not a failure of what the admin did.
  const unavailable = e.code === 'NOT_INITIALIZED';
  return h(
    'div',
    {
      class: `notice ${unavailable ? 'notice-warning' : 'notice-error'}`,
      attrs: { role: 'alert' },
    },
    h(
      'p',
      { class: 'notice-title' },
      h('strong', { text: unavailable ? 'Not available: ' : 'Something went wrong: ' }),
      forScreen(e.message),
    ),
    e.fix
      ? h('p', { class: 'notice-fix' }, h('strong', { text: 'What to do: ' }), forScreen(e.fix))
      : null,
    h('p', { class: 'notice-code muted' }, 'Code ', h('code', { text: e.code })),
    retry
      ? h('button', {
          class: 'btn',
          text: 'Try again',
          attrs: { type: 'button' },
          on: { click: retry },
        })
      : null,
  );
}

export function info(message: string, kind: 'info' | 'success' | 'warning' = 'info'): HTMLElement {
  return h(
    'div',
    { class: `notice notice-${kind}`, attrs: { role: 'status' } },
    h('p', { text: message }),
  );
}

/**
 * Runs `load`, showing loading → content, or the error with a retry.
 * Returns a function that loads again.
 */
export function withStates<T>(
  host: HTMLElement,
  what: string,
  load: () => Promise<T>,
  render: (value: T) => Node,
): () => Promise<void> {
  const run = async (): Promise<void> => {
    host.setAttribute('aria-busy', 'true');
    if (!host.hasChildNodes()) replace(host, loading(what));
    try {
      const value = await load();
      replace(host, render(value));
    } catch (err) {
      replace(
        host,
        errorNotice(err, () => void run()),
      );
    } finally {
      host.removeAttribute('aria-busy');
    }
  };
  void run();
  return run;
}

/** Sign-in words: first visit vs a refused (rotated) token, and what counts as a pasted token. */
import { describe, expect, it } from 'vitest';
import { pastedToken, signInModel } from '../../../../renderer/screens/login-model.js';
import { sidebarFoot } from '../../../../renderer/app-shell.js';

describe('sign-in', () => {
  it('first visit: no warning', () => {
    expect(signInModel('missing')).toEqual({ heading: 'Sign in', warning: null });
  });

  it('refused token: asks again and says why', () => {
    expect(signInModel('expired')).toEqual({
      heading: 'Please sign in again',
      warning: 'The admin token was not accepted — it may have been rotated.',
    });
  });

  it('a pasted token is trimmed; blanks are not a token', () => {
    expect(pastedToken('  abc123\n')).toBe('abc123');
    expect(pastedToken('   ')).toBeNull();
  });
});

describe('shell', () => {
  it('the sidebar names the mode and the version', () => {
    expect(sidebarFoot({ mode: 'headless', version: '1.2.3' })).toBe('Headless · v1.2.3');
    expect(sidebarFoot({ mode: 'desktop', version: '0.1.0' })).toBe('Desktop · v0.1.0');
  });
});

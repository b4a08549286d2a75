/** What the headless sign-in page says: first visit, or the token was refused (rotated). Pure. */
export type SignInReason = 'missing' | 'expired';

export interface SignInModel {
  heading: string;
  /** The alert above the instructions, when a token was refused. */
  warning: string | null;
}

export function signInModel(why: SignInReason): SignInModel {
  return why === 'expired'
    ? {
        heading: 'Please sign in again',
        warning: 'The admin token was not accepted — it may have been rotated.',
      }
    : { heading: 'Sign in', warning: null };
}

/** The token as pasted: surrounding blanks dropped; null when nothing is left to try. */
export function pastedToken(value: string): string | null {
  const token = value.trim();
  return token === '' ? null : token;
}

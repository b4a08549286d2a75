/**
 * Edits on a token list: replace a token's text, or add text before/after
 * it. The rewrites work on token indices from the same analysis, so several
 * passes can edit one statement without re-tokenizing in between.
 */
import type { Token } from './sql-lexer.js';

export class TokenEdits {
  private readonly body: string[];
  private readonly pre: string[];
  private readonly post: string[];

  constructor(readonly tokens: Token[]) {
    this.body = tokens.map((t) => t.text);
    this.pre = tokens.map(() => '');
    this.post = tokens.map(() => '');
  }

  set(i: number, text: string): void {
    this.body[i] = text;
  }

  get(i: number): string {
    return this.body[i] ?? '';
  }

  /** True when a pass already replaced token `i`. */
  changed(i: number): boolean {
    return this.body[i] !== this.tokens[i]?.text;
  }

  before(i: number, text: string): void {
    this.pre[i] = text + (this.pre[i] ?? '');
  }

  after(i: number, text: string): void {
    this.post[i] = (this.post[i] ?? '') + text;
  }

  /**
   * Removes tokens first..last (inclusive) with what other passes added inside
   * the range; text added before `first` and after `last` stays.
   */
  remove(first: number, last = first): void {
    for (let i = first; i <= last; i++) {
      this.body[i] = '';
      if (i > first) this.pre[i] = '';
      if (i < last) this.post[i] = '';
    }
  }

  /** The edited text of tokens first..last (inclusive). */
  slice(first: number, last: number): string {
    let out = '';
    for (let i = first; i <= last; i++) out += this.pre[i]! + this.body[i]! + this.post[i]!;
    return out;
  }

  text(): string {
    return this.slice(0, this.tokens.length - 1);
  }
}

/** The original source text of tokens first..last (inclusive). */
export function sourceText(tokens: Token[], first: number, last: number): string {
  return tokens
    .slice(first, last + 1)
    .map((t) => t.text)
    .join('');
}

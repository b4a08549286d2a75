// Suite-wide setup, once per `vitest run`, before any test file starts.
import { buildOnce } from './build-once.js';

export default function setup(): void {
  buildOnce();
}

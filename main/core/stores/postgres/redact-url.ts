/**
 * URL redaction lives in config/redact.ts. This re-export only keeps
 * main/core/migrate/run/pg-session.ts compiling until its import moves there;
 * new code imports from config/redact.js.
 */
export { redactUrl } from '../../config/redact.js';

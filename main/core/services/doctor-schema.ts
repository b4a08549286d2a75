/**
 * The `nova-db doctor --json` document (docs/ARCHITECTURE.md#stable-interfaces: scripts rely on it).
 * Documented in docs/cli-doctor.md. Stability rule: fields are only ever
 * added, never renamed or removed, and finding ids are never renamed. The
 * objects are strict so that a field added to the output without being
 * added here (and to the docs) fails the test that validates real output.
 */
import { z } from 'zod';

export const SEVERITIES = ['ok', 'warn', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A stable identifier: lower-case words joined by hyphens (`binary-pg-ctl`, `listening-redis-6379`). */
export const FINDING_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const profile = z.enum(['embedded', 'docker', 'native', 'external']);

export const findingSchema = z.strictObject({
  /** Stable, kebab-case; never renamed. */
  id: z.string().regex(FINDING_ID),
  /** ok: nothing to do; warn: worth a look, Nova works; error: something configured cannot work. */
  severity: z.enum(SEVERITIES),
  /** One line a person reads first. */
  title: z.string().min(1),
  /** What was checked and what was seen. */
  detail: z.string(),
  /** What to do about it (always present for warn and error). */
  fix: z.string().min(1).optional(),
  /** Machine-readable facts (versions, paths, ports); keys per id family are listed in the docs. */
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export type Finding = z.infer<typeof findingSchema>;

export const doctorReportSchema = z.strictObject({
  /** Format version of this document; bumped only for an incompatible change (none so far). */
  version: z.literal(1),
  /** True when no finding is an error (the exit status is 0 exactly then). */
  ok: z.boolean(),
  /** When the checks ran (ISO 8601). */
  checkedAt: z.iso.datetime(),
  /** The data dir that was checked, or null when it could not be determined or used. */
  dataDir: z.string().nullable(),
  /** The profile of each service, or null when the configuration could not be read. */
  profiles: z.strictObject({ postgres: profile, mongo: profile, redis: profile }).nullable(),
  counts: z.strictObject({
    ok: z.number().int().min(0),
    warn: z.number().int().min(0),
    error: z.number().int().min(0),
  }),
  findings: z.array(findingSchema),
});

export type DoctorReport = z.infer<typeof doctorReportSchema>;

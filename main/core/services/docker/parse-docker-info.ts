/**
 * Reads `docker info --format '{{json .}}'`. The client prints the document
 * even when it cannot reach the engine: then the server fields are empty and
 * the reason is on stderr (Docker 28, recorded here) or, on clients 20–27, in
 * a `ServerErrors` array inside the JSON. Either way `ServerVersion` is set
 * only when the engine answered.
 */

/** What `docker info` says about the client and the engine. */
export interface DockerInfo {
  /** Client version (ClientInfo.Version), null when the output had no JSON. */
  clientVersion: string | null;
  /** Engine version; null when the engine did not answer. */
  serverVersion: string | null;
  /** Why the engine did not answer, as Docker worded it. */
  serverError: string | null;
  /** Version of the `compose` CLI plugin the client lists, when it lists one. */
  composePluginVersion: string | null;
  /** "Docker Desktop", "Ubuntu 24.04 LTS"… when the engine answered. */
  operatingSystem: string | null;
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : null;
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** Parses the output; never throws (an unreadable output yields nulls and the stderr text). */
export function parseDockerInfo(stdout: string, stderr: string): DockerInfo {
  let doc: Record<string, unknown> | null = null;
  const text = stdout.trim();
  // Old clients may print warnings before the document; the JSON is the last line.
  const jsonLine = text
    .split(/\r?\n/)
    .reverse()
    .find((l) => l.trim().startsWith('{'));
  if (jsonLine) {
    try {
      doc = record(JSON.parse(jsonLine));
    } catch {
      doc = null;
    }
  }
  const client = record(doc?.ClientInfo);
  const plugins = Array.isArray(client?.Plugins) ? client.Plugins : [];
  const compose = plugins.map(record).find((p) => p?.Name === 'compose');
  const serverErrors = Array.isArray(doc?.ServerErrors)
    ? doc.ServerErrors.filter((e): e is string => typeof e === 'string' && e.trim() !== '')
    : [];
  const serverVersion = nonEmpty(doc?.ServerVersion);
  const stderrText = stderr.trim();
  return {
    clientVersion: nonEmpty(client?.Version),
    serverVersion,
    serverError: serverVersion
      ? null
      : serverErrors.length > 0
        ? serverErrors.join('\n')
        : stderrText !== ''
          ? stderrText
          : null,
    composePluginVersion: nonEmpty(compose?.Version),
    operatingSystem: serverVersion ? nonEmpty(doc?.OperatingSystem) : null,
  };
}

/** `Docker version 28.2.2, build e6534b4` → `28.2.2`. */
export function parseDockerVersionFlag(stdout: string): string | null {
  return /Docker version (\d+\.\d+\.\d+[^\s,]*)/i.exec(stdout)?.[1] ?? null;
}

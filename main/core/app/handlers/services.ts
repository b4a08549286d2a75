/** `services.*` handlers: state, start/stop, logs. */
import type { ServiceStatusDto } from '../../../../shared-contract/index.js';
import { redactSecrets } from '../../config/redact.js';
import type { ServiceStatus } from '../../services/types.js';
import type { AppRuntime } from '../app-runtime.js';
import { classifyLogLine } from '../log-ring.js';
import type { Handlers } from '../dispatch.js';

/**
 * Dates become ISO strings. Every text is redacted again here, at the edge
 * of the API: a provider that forgot to is still no leak.
 */
export function serviceStatusDto(s: ServiceStatus): ServiceStatusDto {
  return {
    service: s.service,
    provider: s.provider,
    state: s.state,
    ...(s.url ? { url: redactSecrets(s.url) } : {}),
    ...(s.port ? { port: s.port } : {}),
    ...(s.pid ? { pid: s.pid } : {}),
    ...(s.reason ? { reason: redactSecrets(s.reason) } : {}),
    ...(s.fix ? { fix: redactSecrets(s.fix) } : {}),
    since: s.since.toISOString(),
  };
}

export function servicesHandlers(
  rt: AppRuntime,
): Pick<
  Handlers,
  | 'services.list'
  | 'services.start'
  | 'services.stop'
  | 'services.logs'
  | 'services.startAll'
  | 'services.stopAll'
> {
  return {
    'services.list': async () => ({
      services: (await rt.layer.services.statusAll()).map(serviceStatusDto),
    }),
    'services.start': async ({ service }) => {
      const { services, monitor } = rt.layer;
      await services.start(service);
      // The dashboard should not wait a whole interval to see the effect.
      void monitor.runNow();
      return serviceStatusDto(await services.status(service));
    },
    'services.stop': async ({ service }) => {
      const { services, monitor } = rt.layer;
      await services.stop(service);
      void monitor.runNow();
      return serviceStatusDto(await services.status(service));
    },
    'services.startAll': async () => {
      const { services, monitor } = rt.layer;
      // Failures end in each service's `failed` state with the reason, which the list shows.
      await services.startAll();
      void monitor.runNow();
      return { services: (await services.statusAll()).map(serviceStatusDto) };
    },
    'services.stopAll': async () => {
      const { services, monitor } = rt.layer;
      await services.stopAll();
      void monitor.runNow();
      return { services: (await services.statusAll()).map(serviceStatusDto) };
    },
    'services.logs': async ({ source, lines }) => {
      if (source === 'app') {
        const entries = rt.logs.tailEntries(lines);
        return { source, available: true, lines: entries.map((e) => e.text), entries };
      }
      const { services } = rt.layer;
      const kind = services.providerKinds()[source];
      if (kind === 'embedded') {
        return {
          source,
          available: false,
          reason:
            'This service runs inside Nova (embedded profile); its messages are in the Nova log.',
          lines: [],
          entries: [],
        };
      }
      const provider = await services.provider(kind);
      if (!provider.logs) {
        return {
          source,
          available: false,
          reason:
            kind === 'external'
              ? 'This server is run by someone else; its log is on that server.'
              : `Nova keeps no log for this service in the ${kind} setup; see the server's own log.`,
          lines: [],
          entries: [],
        };
      }
      const text = (await provider.logs(source, lines)).map(redactSecrets);
      return {
        source,
        available: true,
        lines: text,
        entries: text.map((t) => ({ level: classifyLogLine(t), text: t })),
      };
    },
  };
}

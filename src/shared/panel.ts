// Messages between the extension host and the results panel's webview. Each is declared once, with its sender.
// The panel is rebuilt from run events alone, so a reloaded window or a finished run shows the same view.
import type { RunEvent } from './events';

export type RunStatus = 'starting' | 'running' | 'stopping' | 'finished' | 'stopped' | 'crashed';

/** Host -> webview: everything known about the run, sent after the webview said `ready`. */
export interface PanelInit {
  method: 'init';
  params: { runDir: string; status: RunStatus; canResume: boolean; events: RunEvent[] };
}

/** Host -> webview: new events, batched (at most a few per second). */
export interface PanelEvents {
  method: 'events';
  params: { events: RunEvent[] };
}

/** Host -> webview: the run's process state changed. */
export interface PanelStatus {
  method: 'status';
  params: { status: RunStatus; canResume: boolean; message?: string };
}

export type HostToPanel = PanelInit | PanelEvents | PanelStatus;

/** Webview -> host: the page is loaded and listening; the host answers with `init`. */
export interface PanelReady {
  method: 'ready';
}

/** Webview -> host: stop the run (the journal is kept). */
export interface PanelStop {
  method: 'stop';
}

/** Webview -> host: resume a stopped or crashed run. */
export interface PanelResume {
  method: 'resume';
}

/** Webview -> host: export a trial's model. */
export interface PanelExport {
  method: 'export';
  params: { trial: number };
}

/** Webview -> host: decorate a trial's chosen values in the spec editor. */
export interface PanelReveal {
  method: 'reveal';
  params: { trial: number };
}

export type PanelToHost = PanelReady | PanelStop | PanelResume | PanelExport | PanelReveal;

/** Checks a message from the webview: it is untrusted input. */
export function isPanelToHost(m: unknown): m is PanelToHost {
  if (!m || typeof m !== 'object') return false;
  const { method, params } = m as { method?: unknown; params?: unknown };
  switch (method) {
    case 'ready':
    case 'stop':
    case 'resume':
      return true;
    case 'export':
    case 'reveal':
      return !!params && typeof params === 'object' && Number.isInteger((params as { trial?: unknown }).trial) && (params as { trial: number }).trial >= 0;
    default:
      return false;
  }
}

export function isHostToPanel(m: unknown): m is HostToPanel {
  if (!m || typeof m !== 'object') return false;
  const { method, params } = m as { method?: unknown; params?: Record<string, unknown> };
  if (!params || typeof params !== 'object') return false;
  if (method === 'init') return typeof params.runDir === 'string' && Array.isArray(params.events);
  if (method === 'events') return Array.isArray(params.events);
  if (method === 'status') return typeof params.status === 'string';
  return false;
}

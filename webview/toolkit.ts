// Every line that knows about @vscode/webview-ui-toolkit lives here. The toolkit is deprecated upstream, so
// the rest of the panel asks this module for plain HTMLElements ("a button", "tabs") and a move to another
// component set rewrites this file only. Only the components used are registered, to keep the bundle small.
// Not used: vscode-badge, whose template carries a style="" binding that the CSP (rightly) refuses; the run
// state pill is a styled span instead.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDropdown,
  vsCodeOption,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDropdown(), vsCodeOption(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView());
}

export interface ButtonOptions {
  label: string;
  /** The accessible name when the visible label is terse or an icon. */
  ariaLabel?: string;
  testId?: string;
  secondary?: boolean;
  onClick: () => void;
}

export function button(o: ButtonOptions): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = o.label;
  b.setAttribute('aria-label', o.ariaLabel ?? o.label);
  if (o.secondary) b.setAttribute('appearance', 'secondary');
  if (o.testId) b.dataset.testid = o.testId;
  b.addEventListener('click', () => {
    if (!isDisabled(b)) o.onClick();
  });
  return b;
}

export function setDisabled(el: HTMLElement, disabled: boolean, reason?: string): void {
  el.toggleAttribute('disabled', disabled);
  if (reason && disabled) el.title = reason;
  else el.removeAttribute('title');
}

export function isDisabled(el: HTMLElement): boolean {
  return el.hasAttribute('disabled');
}

export interface Tab {
  id: string;
  label: string;
  content: HTMLElement;
}

/** Tabs; `onChange` gets the id of the tab shown. The views use it to skip drawing what is hidden. */
export function tabs(items: Tab[], active: string, onChange: (id: string) => void): HTMLElement {
  const panels = document.createElement('vscode-panels');
  panels.setAttribute('aria-label', 'Views');
  panels.setAttribute('activeid', `tab-${active}`);
  for (const t of items) {
    const tab = document.createElement('vscode-panel-tab');
    tab.id = `tab-${t.id}`;
    tab.textContent = t.label;
    tab.dataset.testid = `tab-${t.id}`;
    panels.appendChild(tab);
  }
  for (const t of items) {
    const view = document.createElement('vscode-panel-view');
    view.id = `view-${t.id}`;
    view.appendChild(t.content);
    panels.appendChild(view);
  }
  panels.addEventListener('change', () => {
    const id = (panels as HTMLElement & { activeid?: string }).activeid;
    if (id?.startsWith('tab-')) onChange(id.slice(4));
  });
  return panels;
}

/** A small select; `onChange` gets the chosen value. */
export function dropdown(options: { value: string; label: string }[], value: string, ariaLabel: string, onChange: (v: string) => void): HTMLElement {
  const dd = document.createElement('vscode-dropdown');
  dd.setAttribute('aria-label', ariaLabel);
  for (const o of options) {
    const opt = document.createElement('vscode-option');
    opt.setAttribute('value', o.value);
    opt.textContent = o.label;
    if (o.value === value) opt.setAttribute('selected', '');
    dd.appendChild(opt);
  }
  dd.addEventListener('change', () => onChange((dd as HTMLElement & { value: string }).value));
  return dd;
}

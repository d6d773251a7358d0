// The results panel, for the extension's commands: ResultsPanel.show to open a run, registerSerializer once
// at activation so panels come back after a window reload.
export { ResultsPanel } from './resultsPanel';

// Workspace Trust. Reading and checking a spec is safe in any folder; running one is not: it starts processes,
// with a Node executable a setting may name, reading data from paths the spec chooses. In an untrusted
// workspace the language features work and Run/Resume explain why they are unavailable.
import * as vscode from 'vscode';

export async function ensureTrusted(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const pick = await vscode.window.showWarningMessage(
    `NAS Studio: ${action} needs a trusted workspace: it starts training processes on this machine that read the data files the spec names. Checking, completion and quick fixes work without trust.`,
    'Manage Workspace Trust',
  );
  if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

// "NAS Studio: New Search Space": a spec written from one of the shipped examples, in the folder the user is
// working in, opened ready to edit. Files are read and written through workspace.fs so remote folders work.
import * as vscode from 'vscode';
import { instantiate, specName, TEMPLATES, type Template } from './templateText';

export async function newSearchSpace(extensionUri: vscode.Uri, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const pick = await vscode.window.showQuickPick(
    TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, template: t })),
    { title: 'New Search Space', placeHolder: 'Start from a template', matchOnDetail: true },
  );
  if (!pick) return undefined;
  const folder = await targetFolder(target);
  let file: vscode.Uri | undefined;
  if (folder) {
    const suggested = await freeName(folder, pick.template.file.replace(/\.nas\.json$/, ''));
    const name = await vscode.window.showInputBox({
      title: 'New Search Space',
      prompt: `File name, in ${vscode.workspace.asRelativePath(folder, true)}`,
      value: suggested,
      valueSelection: [0, suggested.length - '.nas.json'.length],
      validateInput: async (v) => {
        if (!/\.nas\.json$/i.test(v.trim())) return 'The name must end in .nas.json: that is how the editor recognises a search space.';
        if (/[\\/]/.test(v)) return 'A file name only, without folders.';
        return (await exists(vscode.Uri.joinPath(folder, v.trim()))) ? 'A file of that name already exists.' : undefined;
      },
    });
    if (!name) return undefined;
    file = vscode.Uri.joinPath(folder, name.trim());
  } else {
    file = await vscode.window.showSaveDialog({ title: 'New Search Space', saveLabel: 'Create', filters: { 'NAS search space': ['json'] } });
    if (!file) return undefined;
    if (!/\.nas\.json$/i.test(file.path)) file = file.with({ path: file.path.replace(/(\.json)?$/i, '.nas.json') });
  }
  await write(extensionUri, pick.template, file);
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc, { preview: false });
  return file;
}

async function write(extensionUri: vscode.Uri, t: Template, file: vscode.Uri) {
  const examples = vscode.Uri.joinPath(extensionUri, 'examples');
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(examples, t.file)));
  const name = specName(file.path.split('/').pop() ?? t.file);
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(instantiate(text, name)));
  const dir = vscode.Uri.joinPath(file, '..');
  for (const data of t.data ?? []) {
    const dest = vscode.Uri.joinPath(dir, data);
    // The user's own data file of that name wins: the template only needs some file there to run.
    if (!(await exists(dest))) await vscode.workspace.fs.copy(vscode.Uri.joinPath(examples, data), dest);
  }
}

/** The explorer folder the command was run on, else the active spec's folder, else the only workspace folder. */
async function targetFolder(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (target) {
    const stat = await vscode.workspace.fs.stat(target).then(undefined, () => undefined);
    if (stat) return stat.type & vscode.FileType.Directory ? target : vscode.Uri.joinPath(target, '..');
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && vscode.workspace.getWorkspaceFolder(active)) return vscode.Uri.joinPath(active, '..');
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0]?.uri;
  const f = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder for the new search space' });
  return f?.uri;
}

async function freeName(folder: vscode.Uri, stem: string): Promise<string> {
  for (let i = 1; ; i++) {
    const name = `${stem}${i > 1 ? `-${i}` : ''}.nas.json`;
    if (!(await exists(vscode.Uri.joinPath(folder, name)))) return name;
  }
}

async function exists(u: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(u).then(
    () => true,
    () => false,
  );
}

// Child processes that are always cleaned up: each is started in its own process group, and killing one kills
// its whole tree (the group, and any descendant that left it, found through /proc), SIGTERM then SIGKILL.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const live = new Set();

/** Starts a command in a new process group; stdout and stderr go to `logFile`. */
export function start(cmd, args, { env, cwd, logFile }) {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const proc = { child, pid: child.pid, exited: false, code: null };
  child.on('exit', (code, signal) => {
    proc.exited = true;
    proc.code = code ?? signal;
  });
  live.add(proc);
  return proc;
}

/** Runs a command to completion with a time limit; resolves to { code, out }. */
export function run(cmd, args, { env, cwd, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const proc = { child, pid: child.pid, exited: false };
    live.add(proc);
    const timer = setTimeout(() => {
      out += `\n[timed out after ${timeoutMs} ms]`;
      killTree(proc);
    }, timeoutMs);
    child.on('error', (err) => {
      out += String(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      proc.exited = true;
      live.delete(proc);
      resolve({ code: code ?? (signal ? 128 : 1), out });
    });
  });
}

function children() {
  const byParent = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may contain spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!byParent.has(ppid)) byParent.set(ppid, []);
      byParent.get(ppid).push(Number(name));
    } catch {
      // the process exited meanwhile
    }
  }
  return byParent;
}

/** Every descendant of `pid` alive now (not `pid` itself). */
export function descendants(pid) {
  const byParent = children();
  const out = [];
  const stack = [pid];
  while (stack.length) {
    for (const c of byParent.get(stack.pop()) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills a started process, its process group and all its descendants; waits up to `graceMs` before SIGKILL. */
export async function killTree(proc, graceMs = 3000) {
  if (!proc?.pid) return;
  const pids = [proc.pid, ...descendants(proc.pid)];
  signal(-proc.pid, 'SIGTERM');
  for (const p of pids) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  // Descendants started during the grace period are caught by a second look.
  const rest = [...new Set([...pids, ...descendants(proc.pid)])].filter(alive);
  signal(-proc.pid, 'SIGKILL');
  for (const p of rest) signal(p, 'SIGKILL');
  live.delete(proc);
}

/** Kills everything started through this module that is still running. */
export async function killAll() {
  await Promise.all([...live].map((p) => killTree(p)));
}

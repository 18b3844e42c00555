// CPU and memory of the processes under test, read from /proc (Linux only; elsewhere every reading is empty).
//
// A "group" is what one row of the report covers:
//   { name, pid }                                 one process (a Baton service, Kafka's JVM)
//   { name, postmaster, database?, private }      a PostgreSQL server: the postmaster and its children.
//     private: the server is ours alone (embedded mode), so everything counts, including the CPU of children
//              that exited and were reaped (the postmaster's cutime/cstime).
//     database: on a shared server, only the backends connected to this database count, plus the server's own
//              background processes (checkpointer, walwriter, ...); other databases' backends are left out and
//              reported separately as "shared".
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const HAS_PROC = existsSync('/proc/self/stat');

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** utime, stime, cutime, cstime (in ticks) and ppid of a process, or null when it is gone. */
export function readStat(pid) {
  const s = read(`/proc/${pid}/stat`);
  if (!s) return null;
  // the command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state), so field n is f[n - 3]
  return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
}

export const cmdline = (pid) => (read(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ').trim();

export function allPids() {
  if (!HAS_PROC) return [];
  return readdirSync('/proc').filter((d) => d.charCodeAt(0) >= 48 && d.charCodeAt(0) <= 57).map(Number);
}

/** Peak resident set (VmHWM) and current (VmRSS) of one process, in bytes. */
export function readMemory(pid) {
  const s = read(`/proc/${pid}/status`);
  if (!s) return null;
  const kb = (key) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(s);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

/** Proportional set size (shared pages split between the processes that map them), in bytes. */
function readPss(pid) {
  const s = read(`/proc/${pid}/smaps_rollup`);
  const m = s && /^Pss:\s+(\d+) kB/m.exec(s);
  return m ? Number(m[1]) * 1024 : 0;
}

/** The postmaster listening on `port`, or whose data directory is under `dir`. */
export function findPostmaster({ port, dir }) {
  for (const pid of allPids()) {
    const c = cmdline(pid);
    if (!/(^|\/)postgres(\s|$)/.test(c.split(' -')[0] ?? '')) continue;
    if (dir && c.includes(dir)) return pid;
    if (port && new RegExp(`(^|\\s)-p\\s+${port}(\\s|$)`).test(c)) return pid;
  }
  return null;
}

/** Inodes of the sockets listening on a TCP port (any address), from /proc/net/tcp and tcp6. */
function listeningInodes(port) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(f) ?? '').split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      // local_address rem_address st ... inode (field 9); st 0A = LISTEN
      if (c.length > 9 && c[1].endsWith(hex) && c[3] === '0A') inodes.add(c[9]);
    }
  }
  return inodes;
}

/** Whether `pid` holds one of these socket inodes open. */
function holdsSocket(pid, inodes) {
  let fds;
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && inodes.has(m[1])) return true;
    } catch {
      /* closed meanwhile */
    }
  }
  return false;
}

/** The Kafka broker JVM (main class `kafka.Kafka`) listening on `port`; every broker JVM when none can be told apart. */
export function findKafka(port) {
  const all = allPids().filter((pid) => / kafka\.Kafka( |$)/.test(cmdline(pid)));
  if (!port || all.length <= 1) return all;
  const inodes = listeningInodes(port);
  const mine = all.filter((pid) => holdsSocket(pid, inodes));
  return mine.length ? mine : all;
}

/** The postmaster's children, each with the database it serves (null for the server's own processes). */
function postgresChildren(postmaster) {
  const out = [];
  for (const pid of allPids()) {
    const st = readStat(pid);
    if (!st || st.ppid !== postmaster) continue;
    const c = cmdline(pid).slice(0, 200);
    // backends: "postgres: <user> <database> <host>(<port>) <state>"; autovacuum: "postgres: autovacuum worker <db>"
    const m = /^postgres: (?:autovacuum worker (\S+)|\S+ (\S+) \S+\(\d+\))/.exec(c) ?? /^postgres: \S+ (\S+) \[local\]/.exec(c);
    out.push({ pid, st, database: m ? (m[1] ?? m[2]) : null });
  }
  return out;
}

const ticks = (st) => st.utime + st.stime;

/** A point-in-time CPU reading of every group: per group, ticks per pid (and shared ticks for a shared server). */
export function snapshot(groups) {
  const out = { at: performance.now(), driver: process.cpuUsage(), groups: {}, machine: readMachine() };
  if (!HAS_PROC) return out;
  for (const g of groups) {
    const pids = new Map();
    let shared = 0;
    if (g.postmaster) {
      const pm = readStat(g.postmaster);
      if (pm) pids.set(g.postmaster, ticks(pm) + (g.private ? pm.cutime + pm.cstime : 0));
      for (const ch of postgresChildren(g.postmaster)) {
        if (g.private || ch.database === null || ch.database === g.database) pids.set(ch.pid, ticks(ch.st));
        else shared += ticks(ch.st);
      }
      if (!g.private && pm) shared += pm.cutime + pm.cstime; // exited backends of any database
    } else {
      const st = readStat(g.pid);
      if (st) pids.set(g.pid, ticks(st));
    }
    out.groups[g.name] = { pids, shared };
  }
  return out;
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
function readMachine() {
  const s = read('/proc/stat');
  if (!s) return null;
  const f = s.slice(0, s.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * CPU seconds of each group between two snapshots. A process that appeared in between counts from zero; one
 * that vanished is not counted (except a reaped child of a private postmaster: it is in the postmaster's cutime).
 */
export function cpuBetween(a, b, groups) {
  const out = {};
  for (const g of groups) {
    const ga = a.groups[g.name];
    const gb = b.groups[g.name];
    if (!ga || !gb) continue;
    let t = 0;
    if (g.private) {
      // totals: a child that exited in between moved its whole time into the postmaster's cutime
      for (const v of gb.pids.values()) t += v;
      for (const v of ga.pids.values()) t -= v;
    } else {
      for (const [pid, v] of gb.pids) t += v - (ga.pids.get(pid) ?? 0);
    }
    out[g.name] = { cpuSeconds: Math.max(0, t) / CLK_TCK, processes: gb.pids.size, sharedSeconds: g.postmaster && !g.private ? Math.max(0, gb.shared - ga.shared) / CLK_TCK : undefined };
  }
  const du = b.driver.user - a.driver.user + (b.driver.system - a.driver.system);
  out.driver = { cpuSeconds: du / 1e6, userSeconds: (b.driver.user - a.driver.user) / 1e6, systemSeconds: (b.driver.system - a.driver.system) / 1e6, processes: 1 };
  const m = a.machine && b.machine ? { busySeconds: (b.machine.busy - a.machine.busy) / CLK_TCK, totalSeconds: (b.machine.total - a.machine.total) / CLK_TCK } : null;
  return { groups: out, machine: m, seconds: (b.at - a.at) / 1000 };
}

/**
 * Samples memory every `everyMs` and keeps each group's peak: a single process's VmHWM (the kernel's own peak),
 * a PostgreSQL group's largest sampled sum of PSS (shared buffers counted once, not once per backend).
 */
export class MemorySampler {
  constructor(groups, everyMs = 5000) {
    this.groups = groups;
    this.peak = {};
    this.timer = HAS_PROC ? setInterval(() => this.sample(), everyMs) : null;
    this.timer?.unref();
    if (HAS_PROC) this.sample();
  }

  sample() {
    for (const g of this.groups) {
      let bytes = 0;
      if (g.postmaster) {
        bytes = readPss(g.postmaster);
        for (const ch of postgresChildren(g.postmaster)) if (g.private || ch.database === null || ch.database === g.database) bytes += readPss(ch.pid);
      } else {
        const m = readMemory(g.pid);
        bytes = m ? m.hwm : 0;
      }
      if (bytes > (this.peak[g.name] ?? 0)) this.peak[g.name] = bytes;
    }
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    if (HAS_PROC) this.sample();
    this.peak.driver = process.resourceUsage().maxRSS * 1024;
    return this.peak;
  }
}

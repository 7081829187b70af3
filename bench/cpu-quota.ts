/**
 * A CPU quota for one process through the kernel's cgroups (v1's cpu controller, or v2's
 * cpu.max): the process may use at most `cores` of CPU time per period, whichever cores it runs
 * on. The bench uses it to give each PostgreSQL replica the same fraction of a core, so that on
 * a 2-core machine the replicas leave cores to spare for PostgreSQL and the load generator, and
 * the rows show how throughput scales with the CPU given to replicas. Needs root (or a delegated
 * cgroup); without it the rows are skipped with the reason.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const PERIOD_US = 100_000;
const V1_ROOT = "/sys/fs/cgroup/cpu";
const V2_ROOT = "/sys/fs/cgroup";

export interface CpuQuota {
  /** Moves the process back to the root group and removes its group. */
  release(): void;
}

function hierarchy(): { kind: "v1" | "v2"; root: string } | undefined {
  if (existsSync(path.join(V1_ROOT, "cpu.cfs_quota_us"))) return { kind: "v1", root: V1_ROOT };
  if (existsSync(path.join(V2_ROOT, "cgroup.controllers"))) return { kind: "v2", root: V2_ROOT };
  return undefined;
}

/** Limits process `pid` to `cores` of CPU time (0.3: 30 ms per 100 ms), or says why it can't. */
export function limitCpu(pid: number, cores: number): CpuQuota | { why: string } {
  const h = hierarchy();
  if (!h) return { why: "no cgroup cpu controller found (/sys/fs/cgroup/cpu or a cgroup v2 root)" };
  const dir = path.join(h.root, `orgsim-bench-${pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    const quota = String(Math.round(cores * PERIOD_US));
    if (h.kind === "v1") {
      writeFileSync(path.join(dir, "cpu.cfs_period_us"), String(PERIOD_US));
      writeFileSync(path.join(dir, "cpu.cfs_quota_us"), quota);
    } else {
      const control = path.join(h.root, "cgroup.subtree_control");
      if (!readFileSync(control, "utf8").split(/\s+/).includes("cpu")) writeFileSync(control, "+cpu");
      writeFileSync(path.join(dir, "cpu.max"), `${quota} ${PERIOD_US}`);
    }
    writeFileSync(path.join(dir, "cgroup.procs"), String(pid));
  } catch (err) {
    try {
      rmdirSync(dir);
    } catch {
      // Nothing was made, or the group still holds the process: the reason below is what counts.
    }
    return {
      why: `cannot set a CPU quota through ${h.kind === "v1" ? V1_ROOT : V2_ROOT}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  return {
    release: () => {
      try {
        writeFileSync(path.join(h.root, "cgroup.procs"), String(pid));
      } catch {
        // The process has exited: the group is empty already.
      }
      try {
        rmdirSync(dir);
      } catch {
        // Left for the kernel: an empty group costs nothing, and a later run makes its own.
      }
    },
  };
}

// Preloaded with `node --import` into a process under measurement: when the process exits, for
// whatever reason, it writes its own peak resident set size (getrusage ru_maxrss, the same figure
// as VmHWM in /proc/<pid>/status) and its CPU time (user + system) to the file named by
// BENCH_MAX_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_MAX_RSS_FILE;
if (file) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, code }));
  });
}

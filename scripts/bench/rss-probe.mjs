// Preloaded with `node --import` into the CLI process of the memory scenario: at exit, writes the process's
// peak resident memory (VmHWM from /proc/self/status) to the file named by BENCH_RSS_FILE.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.once('exit', () => {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    writeFileSync(file, JSON.stringify({ vmHwmKb: m ? Number(m[1]) : null, maxRssKb: process.resourceUsage().maxRSS }));
  });
}

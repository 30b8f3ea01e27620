// Preloaded into the benchmarked process (node --import): writes its peak RSS where the benchmark reads it.
import fs from "node:fs";

const target = process.env.MIGSAFE_BENCH_RSS_FILE;
if (target) process.on("exit", () => fs.writeFileSync(target, String(process.resourceUsage().maxRSS * 1024)));

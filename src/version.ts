import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * migsafe's own folder (where its package.json is), found by walking up from this
 * module: src/ when run from source, dist/src/ when run from the build (dist/ when bundled).
 */
export function packageRoot(): { dir: string; version: string } | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "package.json");
    try {
      const json = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: unknown; version?: unknown };
      if (json.name === "migsafe" && typeof json.version === "string") return { dir, version: json.version };
    } catch {
      // not here (or unreadable): keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function packageVersion(): string {
  return packageRoot()?.version ?? "unknown";
}

// Makes package-lock.json acceptable to `npm ci` on the registry this project installs from.
// That registry carries the native optional packages of this platform only (linux-x64-gnu:
// `npm view @rollup/rollup-android-arm64@4.68.7` is a 404), so npm writes just those into the
// lock — yet keeps every platform's name in the parent's optionalDependencies, and `npm ci` then
// refuses the lock it wrote ("Missing: @rollup/rollup-android-arm64@ from lock file"). This
// drops, from the lock's record of each package's optional dependencies, the names the lock has no
// entry for. Nothing installed changes: those packages were never installable here.
//   node scripts/prune-lock.mjs      (after `npm install` changed the lock)
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
let dropped = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  if (!pkg.optionalDependencies) continue;
  for (const name of Object.keys(pkg.optionalDependencies)) {
    const nested = (key ? key + "/" : "") + "node_modules/" + name;
    if (lock.packages[nested] || lock.packages["node_modules/" + name]) continue;
    delete pkg.optionalDependencies[name];
    dropped++;
  }
  if (Object.keys(pkg.optionalDependencies).length === 0) delete pkg.optionalDependencies;
}
writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
console.log(`prune-lock: ${dropped} optional dependencies this registry does not carry dropped from the lock`);

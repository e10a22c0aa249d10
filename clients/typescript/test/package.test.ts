/** The npm package: its version, its files, and a README whose example is examples/approval-flow.ts. */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { VERSION } from "agentsecretstore";
import { CLIENT_ROOT } from "./harness.js";

const read = (name: string) => readFileSync(CLIENT_ROOT + name, "utf8");

describe("package", () => {
  it("reports the version of package.json", () => {
    assert.equal(VERSION, JSON.parse(read("package.json")).version);
  });

  it("shows examples/approval-flow.ts, unchanged, in the README", () => {
    assert.ok(read("README.md").includes("```ts\n" + read("examples/approval-flow.ts") + "```\n"));
  });

  it("packs the README, the JavaScript and its type declarations, and nothing else", () => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const [pack] = JSON.parse(execFileSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: CLIENT_ROOT, encoding: "utf8" }));
    const files: string[] = pack.files.map((f: { path: string }) => f.path).sort();
    for (const name of ["README.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/client.d.ts"]) {
      assert.ok(files.includes(name), `${name} in ${files.join(", ")}`);
    }
    assert.deepEqual(files.filter((f) => !/^(README\.md|package\.json|dist\/[a-z]+\.(js|d\.ts))$/.test(f)), []);
    const manifest = JSON.parse(read("package.json"));
    assert.deepEqual(manifest.dependencies ?? {}, {}, "no runtime dependencies");
  });
});

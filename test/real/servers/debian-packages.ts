/**
 * The Debian packages the real servers run on (../shared/servers/README.md), checked with dpkg and
 * installed with apt-get when the run has the rights to; otherwise the run stops with the exact
 * command to type. A missing package is never a reason to skip the real-server suite.
 */
import { spawnSync } from "node:child_process";

/** PHP 8.2 with the extensions MantisBT 2.28.4 needs on PostgreSQL. */
export const MANTIS_PACKAGES = [
  "php8.2-cli",
  "php8.2-pgsql",
  "php8.2-mbstring",
  "php8.2-xml",
  "php8.2-curl",
  "php8.2-gd",
  "php8.2-intl",
  "php8.2-zip",
] as const;

/** Synapse 1.67.0's requirements, from Debian's Python 3.11 packages. */
export const SYNAPSE_PACKAGES = [
  "python3-jsonschema",
  "python3-frozendict",
  "python3-unpaddedbase64",
  "python3-canonicaljson",
  "python3-signedjson",
  "python3-nacl",
  "python3-service-identity",
  "python3-twisted",
  "python3-treq",
  "python3-openssl",
  "python3-yaml",
  "python3-pyasn1",
  "python3-pyasn1-modules",
  "python3-bcrypt",
  "python3-pil",
  "python3-sortedcontainers",
  "python3-pymacaroons",
  "python3-msgpack",
  "python3-phonenumbers",
  "python3-prometheus-client",
  "python3-attr",
  "python3-netaddr",
  "python3-jinja2",
  "python3-bleach",
  "python3-typing-extensions",
  "python3-cryptography",
  "python3-ijson",
  "python3-matrix-common",
  "python3-packaging",
  "python3-pydantic",
  "python3-idna",
] as const;

/** The packages among `names` that dpkg does not list as installed. */
export function missingPackages(names: readonly string[]): string[] {
  const result = spawnSync("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\n", ...names], { encoding: "utf8" });
  if (result.error) throw new Error(`cannot ask dpkg which packages are installed (${result.error.message}): the real servers need Debian or Ubuntu`);
  const installed = new Set(
    result.stdout
      .split("\n")
      .map((line) => line.trim().split(" "))
      .filter(([, status]) => status === "installed")
      .map(([name]) => name),
  );
  return names.filter((name) => !installed.has(name));
}

/** The one line a person without root rights runs to install `names`. */
export function installCommand(names: readonly string[]): string {
  return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${names.join(" ")}`;
}

/** How {@link ensureDebianPackages} learns about and changes the machine; injectable for tests. */
export interface PackageSystem {
  missing(names: readonly string[]): string[];
  isRoot(): boolean;
  /** Runs `apt-get <args>`; answers the exit code and the output's last lines. */
  aptGet(args: string[]): { status: number | null; output: string };
}

/** The machine's own dpkg and apt-get. */
export const DEBIAN: PackageSystem = {
  missing: missingPackages,
  isRoot: () => typeof process.getuid === "function" && process.getuid() === 0,
  aptGet(args) {
    const run = spawnSync("apt-get", args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, maxBuffer: 64 * 1024 * 1024 });
    const output = `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? run.error.message : ""}`.trim().split("\n").slice(-20).join("\n");
    return { status: run.status, output };
  },
};

/**
 * Makes sure every package in `names` is installed: as root with apt-get (as in CI), otherwise by
 * throwing an error that names the exact command. `log` receives progress lines.
 */
export function ensureDebianPackages(names: readonly string[], log: (line: string) => void, system: PackageSystem = DEBIAN): void {
  const missing = system.missing(names);
  if (missing.length === 0) return;
  if (!system.isRoot()) {
    throw new Error(`the real servers need Debian packages that are not installed: ${missing.join(", ")}\nRun:\n  ${installCommand(missing)}`);
  }
  log(`installing ${missing.length} Debian packages: ${missing.join(" ")}`);
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", ...missing]]) {
    const run = system.aptGet(args);
    if (run.status !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${run.status}):\n${run.output}`);
  }
  const still = system.missing(names);
  if (still.length > 0) throw new Error(`apt-get ran but these packages are still missing: ${still.join(", ")}`);
}

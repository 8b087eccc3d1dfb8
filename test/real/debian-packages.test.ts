/** The harness installs the servers' Debian packages as root and names the exact command otherwise. */
import { describe, expect, it } from "vitest";
import { ensureDebianPackages, installCommand, missingPackages, type PackageSystem } from "./servers/debian-packages.js";

/** A machine where `installed` are installed and apt-get installs whatever it is asked to. */
function fakeSystem(options: { installed: string[]; root: boolean; aptFails?: boolean }) {
  const installed = new Set(options.installed);
  const calls: string[][] = [];
  const system: PackageSystem = {
    missing: (names) => names.filter((name) => !installed.has(name)),
    isRoot: () => options.root,
    aptGet(args) {
      calls.push(args);
      if (options.aptFails) return { status: 100, output: "E: Unable to locate package php8.2-cli" };
      if (args[0] === "install") for (const name of args.slice(3)) installed.add(name);
      return { status: 0, output: "" };
    },
  };
  return { system, calls };
}

describe("Debian packages of the real servers", () => {
  it("does nothing when everything is installed", () => {
    const { system, calls } = fakeSystem({ installed: ["php8.2-cli"], root: true });
    ensureDebianPackages(["php8.2-cli"], () => {}, system);
    expect(calls).toEqual([]);
  });

  it("installs the missing ones with apt-get as root", () => {
    const { system, calls } = fakeSystem({ installed: ["php8.2-cli"], root: true });
    const lines: string[] = [];
    ensureDebianPackages(["php8.2-cli", "php8.2-pgsql", "python3-twisted"], (line) => lines.push(line), system);
    expect(calls).toEqual([["update"], ["install", "-y", "--no-install-recommends", "php8.2-pgsql", "python3-twisted"]]);
    expect(lines).toEqual(["installing 2 Debian packages: php8.2-pgsql python3-twisted"]);
  });

  it("stops with the exact apt-get line when it may not install", () => {
    const { system, calls } = fakeSystem({ installed: [], root: false });
    expect(() => ensureDebianPackages(["php8.2-cli", "php8.2-pgsql"], () => {}, system)).toThrow(
      "Run:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends php8.2-cli php8.2-pgsql",
    );
    expect(calls).toEqual([]);
  });

  it("fails loudly with apt-get's words when the installation fails", () => {
    const { system } = fakeSystem({ installed: [], root: true, aptFails: true });
    expect(() => ensureDebianPackages(["php8.2-cli"], () => {}, system)).toThrow(/apt-get update failed \(exit 100\):\nE: Unable to locate package/);
  });

  it("asks dpkg which packages are really installed", () => {
    expect(missingPackages(["dpkg", "support-bot-no-such-package"])).toEqual(["support-bot-no-such-package"]);
    expect(installCommand(["a", "b"])).toBe("sudo apt-get update && sudo apt-get install -y --no-install-recommends a b");
  });
});

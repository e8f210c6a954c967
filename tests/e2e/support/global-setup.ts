import { mkdirSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { assertBrowsersInstalled } from './browser-binaries';
import { snapshotBuilds } from './extension-build';
import { ARTIFACTS_DIR } from './paths';
import { assertInPrivateNetwork } from './private-network';

export default function setup(project: TestProject): () => void {
  assertInPrivateNetwork();
  assertBrowsersInstalled();
  const builds = snapshotBuilds();
  project.provide('extensionDirs', builds.dirs);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return builds.remove;
}

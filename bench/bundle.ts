/**
 * `npm run bench:bundle` — issue 11, benchmark 7: what each surface of the built extension loads before it can
 * run, gzipped. A surface's entry (an HTML page, or the background's script) is read from the manifest; from an
 * HTML page the `<script src>` and `<link href>` tags are followed, and from every script its static `import`s,
 * so shared chunks count on every surface that loads them. Each file is gzipped on its own (zlib's default
 * level), as the browser reads each file on its own; the sum is the figure. Lazily imported chunks (`import()`)
 * are listed in the JSON, not counted. Fonts and images that CSS points at are not counted either.
 *
 * Surfaces: popup, side panel, peer host (Chrome: the offscreen document; Firefox: the background page, which
 * hosts the peer) and Chrome's background service worker. Baseline: this surface in the previous results file
 * (bench/results/bundle.json) when there is one, else the smallest surface of the same build, this run.
 * Runs `npm run build` first when .output is missing or older than its sources (bench/fresh-build.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUILDS, ensureFreshBuild } from './fresh-build';
import { previousResults, publish, type Row } from './report';

interface Surface {
  figure: string;
  build: keyof typeof BUILDS;
  /** The entry relative to the build's root: an `.html` page or a script. */
  entry: string;
}

interface Loaded {
  files: string[];
  raw: number;
  gzip: number;
  lazy: string[];
}

type Manifest = {
  action?: { default_popup?: string };
  browser_action?: { default_popup?: string };
  side_panel?: { default_path?: string };
  sidebar_action?: { default_panel?: string };
  background?: { service_worker?: string; page?: string; scripts?: string[] };
};

const KiB = 1024;

function manifestOf(build: keyof typeof BUILDS): Manifest {
  return JSON.parse(readFileSync(join(BUILDS[build], 'manifest.json'), 'utf8')) as Manifest;
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`The built manifest names no ${what}; bench/bundle.ts needs updating.`);
  return value.replace(/^\//, '');
}

/** The surfaces each build has, from its manifest (Chrome's offscreen document is created at run time, so it is named here). */
function surfaces(): Surface[] {
  const chrome = manifestOf('chrome');
  const firefox = manifestOf('firefox');
  const firefoxBackground = firefox.background?.page ?? firefox.background?.scripts?.[0];
  if (firefox.background?.scripts && firefox.background.scripts.length > 1) {
    throw new Error('The Firefox build has several background scripts; bench/bundle.ts counts one.');
  }
  return [
    { figure: 'popup (chrome-mv3)', build: 'chrome', entry: required(chrome.action?.default_popup, 'popup') },
    { figure: 'side panel (chrome-mv3)', build: 'chrome', entry: required(chrome.side_panel?.default_path, 'side panel') },
    { figure: 'peer host: offscreen document (chrome-mv3)', build: 'chrome', entry: 'offscreen.html' },
    { figure: 'background service worker (chrome-mv3)', build: 'chrome', entry: required(chrome.background?.service_worker, 'service worker') },
    { figure: 'popup (firefox-mv2)', build: 'firefox', entry: required(firefox.browser_action?.default_popup ?? firefox.action?.default_popup, 'popup') },
    { figure: 'side panel: sidebar (firefox-mv2)', build: 'firefox', entry: required(firefox.sidebar_action?.default_panel, 'sidebar') },
    { figure: 'peer host: background page (firefox-mv2)', build: 'firefox', entry: required(firefoxBackground, 'background page') },
  ];
}

const attribute = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];

/** The files an HTML page loads by itself: scripts, stylesheets, module preloads. */
function htmlReferences(html: string): string[] {
  const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => attribute(m[0], 'src'));
  const links = [...html.matchAll(/<link\b[^>]*>/gi)]
    .filter((m) => /\srel\s*=\s*["']?(stylesheet|modulepreload)/i.test(m[0]))
    .map((m) => attribute(m[0], 'href'));
  return [...scripts, ...links].filter((ref): ref is string => ref !== undefined && !/^[a-z]+:/i.test(ref));
}

/** Static `import … from "x"`, `import "x"` and `export … from "x"` of a (minified) module, and its `import("x")`s. */
function scriptReferences(code: string): { eager: string[]; lazy: string[] } {
  const eager = [...code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["']([^"'\s]+\.m?js)["']/g)].map((m) => m[1]!);
  const lazy = [...code.matchAll(/\bimport\(\s*["']([^"'\s]+\.m?js)["']\s*\)/g)].map((m) => m[1]!);
  return { eager, lazy };
}

/** Resolves a reference found in `from` (a path relative to the build root) to a file of the build, or null. */
function resolveIn(root: string, from: string, ref: string): string | null {
  const path = ref.startsWith('/') ? normalize(ref.slice(1)) : normalize(join(dirname(from), ref));
  return !path.startsWith('..') && existsSync(join(root, path)) ? path : null;
}

function load(surface: Surface): Loaded {
  const root = BUILDS[surface.build];
  const seen = new Set<string>();
  const lazy = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(root, file), 'utf8');
    const refs = file.endsWith('.html') ? { eager: htmlReferences(text), lazy: [] } : file.endsWith('.css') ? { eager: [], lazy: [] } : scriptReferences(text);
    for (const ref of refs.eager) {
      const path = resolveIn(root, file, ref);
      if (path) visit(path);
      else if (file.endsWith('.html')) throw new Error(`${surface.entry} loads ${ref}, which is not in ${relative(process.cwd(), root)}.`);
    }
    for (const ref of refs.lazy) {
      const path = resolveIn(root, file, ref);
      if (path) lazy.add(path);
    }
  };
  if (!existsSync(join(root, surface.entry))) throw new Error(`${surface.entry} is not in ${root}.`);
  visit(surface.entry);
  const files = [...seen].sort();
  const bytes = files.map((file) => readFileSync(join(root, file)));
  return {
    files,
    raw: bytes.reduce((sum, b) => sum + b.length, 0),
    gzip: bytes.reduce((sum, b) => sum + gzipSync(b).length, 0),
    lazy: [...lazy].filter((file) => !seen.has(file)).sort(),
  };
}

function main(): void {
  const built = ensureFreshBuild();
  const previous = previousResults('bundle');
  const measured = surfaces().map((surface) => ({ surface, loaded: load(surface) }));
  const smallest = measured.reduce((a, b) => (b.loaded.gzip < a.loaded.gzip ? b : a));
  const previousGzip = (figure: string) => previous?.rows.find((row) => row.figure === figure)?.ours ?? null;
  const rows: Row[] = measured.map(({ surface, loaded }) => ({
    figure: surface.figure,
    unit: 'KiB',
    ours: loaded.gzip / KiB,
    oursNote: `${loaded.files.length} file${loaded.files.length === 1 ? '' : 's'}, ${(loaded.raw / KiB).toFixed(1)} KiB raw`,
    baseline: previous ? previousGzip(surface.figure) : smallest.loaded.gzip / KiB,
    digits: 1,
  }));
  publish({
    name: 'bundle',
    title: 'Bundle sizes: what each surface loads, gzip (issue 11, benchmark 7)',
    rows,
    notes: [
      previous
        ? `Baseline: the same surface in the previous results file, written ${previous.at}.`
        : `Baseline: the smallest surface of this build, ${smallest.surface.figure} (no previous results file).`,
      `Measured: ${built}. Each file gzipped on its own (zlib default level); lazily imported chunks and CSS assets not counted.`,
    ],
    details: Object.fromEntries(measured.map(({ surface, loaded }) => [surface.figure, { entry: surface.entry, ...loaded }])),
  });
}

main();

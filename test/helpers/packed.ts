// The package as a user gets it: the working tree copied to a scratch folder with no dist/ (an unbuilt clone),
// `npm pack` there (its `prepare` builds dist/), and the tarball installed into an empty project folder.
// The repo's own dist/ is never touched, so other test files can keep spawning it meanwhile.
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../generator/pin.js';

export const run = promisify(execFile);

export interface Packed {
  /** The scratch folder holding the clone, the tarball and the project; remove it when done. */
  root: string;
  /** The tarball `npm pack` wrote. */
  tarball: string;
  /** Files inside the tarball, relative to the package root. */
  files: string[];
  /** An empty project (`"type": "commonjs"`) with the tarball, both MCP SDK lines, zod, tsx and @types/node installed. */
  project: string;
  /** Everything `npm pack` and `npm install` printed, for failure messages. */
  log: string;
}

async function copyWorkingTree(to: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: repoRoot,
    maxBuffer: 1 << 24,
  });
  for (const rel of stdout.split('\0').filter(Boolean)) {
    const target = path.join(to, rel);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(path.join(repoRoot, rel), target).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err; // deleted in the working tree but still in the index
    });
  }
  // The build's tools (tsc, esbuild) come from the repo's install; the clone has no dist/ of its own.
  await symlink(path.join(repoRoot, 'node_modules'), path.join(to, 'node_modules'), 'dir');
}

async function provideSqliteBuild(project: string): Promise<void> {
  const version = async (root: string) =>
    (
      JSON.parse(await readFile(path.join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  const installed = await version(project).catch(() => undefined);
  if (!installed) return; // not a dependency (any more)
  const built = path.join(repoRoot, 'node_modules', 'better-sqlite3', 'build');
  const haveBuild = await stat(path.join(built, 'Release', 'better_sqlite3.node')).then(
    () => true,
    () => false,
  );
  if (haveBuild && installed === (await version(repoRoot))) {
    await cp(built, path.join(project, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
  } else {
    await run('npm', ['rebuild', 'better-sqlite3'], { cwd: project, maxBuffer: 1 << 24 });
  }
}

export async function packAndInstall(): Promise<Packed> {
  const root = await mkdtemp(path.join(tmpdir(), 'openai-mcp-kit-pack-'));
  const clone = path.join(root, 'clone');
  const project = path.join(root, 'project');
  await copyWorkingTree(clone);
  await mkdir(project);
  let log = '';
  const pack = await run('npm', ['pack', '--json', '--pack-destination', root], { cwd: clone, maxBuffer: 1 << 24 });
  log += pack.stderr;
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as [
    { filename: string; files: { path: string }[] },
  ];
  const tarball = path.join(root, info.filename);

  const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  await writeFile(
    path.join(project, 'package.json'),
    `${JSON.stringify({ name: 'consumer', private: true, type: 'commonjs' }, null, 2)}\n`,
  );
  // Install scripts off: better-sqlite3 (used by `serve --http`) would otherwise compile from source here, where its
  // prebuilt-binary download host is unreachable (minutes per run). Its native build is taken from the repo's own
  // install instead when the versions match, which is what the prebuilt download would have provided.
  const install = await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
      tarball,
      // The 1.x SDK is no dependency of the package any more; consumers on it bring their own, as this one does.
      `@modelcontextprotocol/sdk@${pkg.devDependencies['@modelcontextprotocol/sdk']}`,
      // A consumer on the v2 line: its own server (also a dependency of the package) and client.
      `@modelcontextprotocol/server@${pkg.dependencies['@modelcontextprotocol/server']}`,
      `@modelcontextprotocol/client@${pkg.devDependencies['@modelcontextprotocol/client']}`,
      `zod@${pkg.dependencies.zod}`,
      `tsx@${pkg.devDependencies.tsx}`,
      `@types/node@${pkg.devDependencies['@types/node']}`,
    ],
    { cwd: project, maxBuffer: 1 << 24 },
  );
  log += install.stdout + install.stderr;
  await provideSqliteBuild(project);
  return { root, tarball, files: info.files.map((f) => f.path).sort(), project, log };
}

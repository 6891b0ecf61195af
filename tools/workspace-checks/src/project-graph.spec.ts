/**
 * Reads the Nx project graph the way `npx nx graph --file=graph.json` writes it and checks that every library and
 * app exists and that every dependency points downward through the layers.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { workspaceRoot } from './workspace-root';

/** Lower numbers sit lower: a project may depend only on projects with a strictly lower layer. */
const layerOf: Record<string, number> = {
  common: 0,
  // Browser code bundled into self-contained HTML views; depends on no other project.
  'mcp-app-views': 0,
  config: 1,
  imaging: 1,
  storage: 1,
  cache: 1,
  'prompt-templates': 1,
  providers: 1,
  testing: 2,
  core: 3,
  mcp: 4,
  'stdio-server': 5,
  'http-server': 5,
  // The `imagegen` command sits on top: `imagegen serve` runs the two servers' binaries (it imports none of their code).
  cli: 6,
};

interface GraphFile {
  graph: {
    nodes: Record<string, { type: string }>;
    dependencies: Record<string, Array<{ source: string; target: string }>>;
  };
}

describe('project graph', () => {
  let graph: GraphFile['graph'];

  beforeAll(() => {
    const outputFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-graph-'));
    const outputFile = path.join(outputFolder, 'graph.json');
    execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'graph', `--file=${outputFile}`], {
      cwd: workspaceRoot,
      stdio: 'ignore',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    graph = (JSON.parse(fs.readFileSync(outputFile, 'utf8')) as GraphFile).graph;
    fs.rmSync(outputFolder, { recursive: true, force: true });
  }, 120000);

  it('contains every library and app', () => {
    expect(Object.keys(graph.nodes)).toEqual(expect.arrayContaining(Object.keys(layerOf)));
  });

  it('has dependencies that only point downward', () => {
    const upwardEdges: string[] = [];
    for (const [source, edges] of Object.entries(graph.dependencies)) {
      const sourceLayer = layerOf[source];
      if (sourceLayer === undefined) continue;
      for (const edge of edges) {
        const targetLayer = layerOf[edge.target];
        if (targetLayer !== undefined && targetLayer >= sourceLayer) upwardEdges.push(`${source} -> ${edge.target}`);
      }
    }
    expect(upwardEdges).toEqual([]);
  });

  it('keeps the engine free of the MCP layer', () => {
    const reachable = new Set<string>();
    const visit = (project: string): void => {
      for (const edge of graph.dependencies[project] ?? []) {
        if (!reachable.has(edge.target)) {
          reachable.add(edge.target);
          visit(edge.target);
        }
      }
    };
    visit('core');
    expect([...reachable].filter((name) => name === 'mcp' || name.startsWith('npm:@modelcontextprotocol'))).toEqual([]);
  });
});

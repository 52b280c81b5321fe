// Starts the built silo (Release build of silo/SeedGrains.Silo, as tests/run.sh leaves it) on free loopback ports with
// the bundled model, and stops it again. Used by the Node tests, which talk to it the way users' clients do.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dll = path.join(root, 'silo', 'SeedGrains.Silo', 'bin', 'Release', 'net10.0', 'SeedGrains.Silo.dll');

/** A port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a silo; resolves once /healthz answers. `args` are extra `--Key=value` settings.
 * Returns { baseUrl, devKey, operatorKey, output(), stop() }.
 */
export async function startSilo(args = []) {
  if (!existsSync(dll)) throw new Error(`${dll} is not built: run "dotnet build -c Release" (tests/run.sh does) first`);
  const devKey = 'node-test-dev-key-0123456789';
  const operatorKey = 'node-test-operator-key-0123456789';
  const httpPort = await freePort();
  const siloPort = await freePort();
  const child = spawn('dotnet', [dll, `--Urls=http://127.0.0.1:${httpPort}`, `--Orleans:SiloPort=${siloPort}`,
    `--Orleans:ClusterId=node-${process.pid}-${httpPort}`, ...args], {
    cwd: root,
    env: { ...process.env, SEEDGRAINS_DEV_API_KEY: devKey, SEEDGRAINS_OPERATOR_KEY: operatorKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  // The bundled model loads in seconds; allow a slow, loaded machine plenty.
  const deadline = Date.now() + 180_000;
  for (;;) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 250))]);
    if (code !== undefined) throw new Error(`the silo exited with code ${code} before it served:\n${output}`);
    try {
      const health = await fetch(`${baseUrl}/healthz`);
      if (health.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the silo did not answer /healthz within 180 s:\n${output}`);
    }
  }
  return {
    baseUrl,
    devKey,
    operatorKey,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

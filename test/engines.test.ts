import { readFileSync } from 'node:fs';
import semver from 'semver';
import t from 'tap';

const root = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8'));
const dockerNode = /^FROM node:(\d+)/m.exec(readFileSync(new URL('Dockerfile', root), 'utf8'))?.[1];

t.test('the declared Node range, the Docker image and every installed package agree', async (t) => {
  const lowest = semver.minVersion(manifest.engines.node)!.version;
  t.ok(semver.satisfies(process.version, manifest.engines.node), `this Node (${process.version}) is in the declared range ${manifest.engines.node}`);
  t.ok(dockerNode && semver.satisfies(`${dockerNode}.0.0`, manifest.engines.node), `the image's Node ${dockerNode} is in the declared range`);
  const refusing = Object.entries(lock.packages as Record<string, { engines?: { node?: string }; dev?: boolean }>)
    .filter(([path, entry]) => path !== '' && typeof entry.engines?.node === 'string')
    .filter(([, entry]) => !semver.satisfies(lowest, entry.engines!.node!) || !semver.satisfies(`${dockerNode}.0.0`, entry.engines!.node!))
    .map(([path, entry]) => `${path} wants node ${entry.engines!.node}`);
  t.same(refusing, [], `every package runs on Node ${lowest} and on the image's Node ${dockerNode}`);
});

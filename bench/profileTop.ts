/**
 * `npx tsx bench/profileTop.ts <file.cpuprofile> [--top 25]`: where a V8 CPU profile's samples went — self time
 * by function and by package (node_modules/<pkg>, node: internals, our own folders), as the profile
 * figures are quoted.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function owner(url: string): string {
  if (!url) return '(native / GC / idle)';
  if (url.startsWith('node:')) return url.split('/')[0] === 'node:internal' ? 'node:internal' : url;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(server|shared|mocks|scripts|bench|config)\/(.*)$/.exec(url);
  return m ? `${m[1]}/${m[2].split('/')[0]}` : url;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' } },
  });
  const top = Number(values.top);
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const selfUs = new Map<number, number>();
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const byFunction = new Map<string, number>();
    const byOwner = new Map<string, number>();
    let total = 0;
    for (const [id, us] of selfUs) {
      const node = byId.get(id);
      if (!node) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') continue;
      total += us;
      const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + us);
      const o = functionName.startsWith('(') ? functionName : owner(url);
      byOwner.set(o, (byOwner.get(o) ?? 0) + us);
    }
    const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
    console.log(`${file}: ${(total / 1000).toFixed(0)} ms of samples (idle left out)`);
    console.log('by package / folder:');
    for (const [k, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`  ${pct(us)}  ${k}`);
    console.log('by function (self):');
    for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`  ${pct(us)}  ${k}`);
  }
}

main();

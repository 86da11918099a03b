/**
 * The weapp build (dist/weapp, made by `npm run build:weapp` before jest in `npm test`): app.json lists every
 * page of app.config.ts, and each page has its .js/.json/.wxml/.wxss. Without a build: a loud skip, except
 * with CI=true, where it fails.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const WEAPP = join(ROOT, 'dist', 'weapp');
const built = existsSync(join(WEAPP, 'app.json'));

if (!built) {
  if (process.env.CI === 'true')
    throw new Error(`CI=true and no weapp build at ${WEAPP}: run npm run build:weapp`);
  console.warn(`\n⚠️  SKIPPED: weapp structure — no build at ${WEAPP}. Run: npm run build:weapp\n`);
}

/** The pages declared in miniprogram/app.config.ts (read as text: it uses Taro's global defineAppConfig). */
function declaredPages(): string[] {
  const source = readFileSync(join(ROOT, 'miniprogram', 'app.config.ts'), 'utf8');
  const list = /pages:\s*\[([\s\S]*?)\]/.exec(source)?.[1] ?? '';
  return [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

(built ? describe : describe.skip)('weapp build', () => {
  const app = built
    ? (JSON.parse(readFileSync(join(WEAPP, 'app.json'), 'utf8')) as { pages: string[] })
    : { pages: [] };

  it('app.json lists every page of app.config.ts, home first', () => {
    expect(declaredPages().length).toBeGreaterThanOrEqual(11);
    expect(app.pages).toEqual(declaredPages());
    expect(app.pages[0]).toBe('pages/home/index');
  });

  it.each(declaredPages())('%s has .js, .json, .wxml and .wxss', (page) => {
    for (const ext of ['js', 'json', 'wxml', 'wxss'])
      expect(existsSync(join(WEAPP, `${page}.${ext}`))).toBe(true);
  });

  it('carries project.config.json with the build folder as its root', () => {
    const project = JSON.parse(readFileSync(join(WEAPP, 'project.config.json'), 'utf8')) as {
      miniprogramRoot: string;
    };
    expect(project.miniprogramRoot).toBe('./');
  });

  it('calls the API at TARO_APP_API_BASE, not at a same-origin path', () => {
    const common = readFileSync(join(WEAPP, 'common.js'), 'utf8');
    expect(common).toContain(process.env.TARO_APP_API_BASE ?? 'http://127.0.0.1:3000');
  });

  it('took the weapp files (index.weapp.ts[x]), not the H5 ones: Taro resolves by the same extension only', () => {
    const js = readdirSync(WEAPP, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(WEAPP, f), 'utf8'))
      .join('\n');
    expect(js).toContain('requestMedicalInsurancePay');
    expect(js).not.toContain('/sandbox/cashier');
    expect(js).not.toContain('autoComplete');
  });
});

/**
 * The testers' console in the browser (bundled by mocks/console/bundle.ts into /__console/app.js): the tab
 * buttons of index.html, one module per tab under tabs/, every admin call through the typed admin client
 * (api.ts) and the console server's proxy, every answer shown on the right.
 */
import { fill, h, type Child } from './dom';
import { refreshHealth, overview } from './tabs/overview';
import { persons } from './tabs/persons';
import { his } from './tabs/his';
import { scenarios } from './tabs/scenarios';
import { faults } from './tabs/faults';
import { journal } from './tabs/journal';
import { notifications } from './tabs/notifications';
import { setRenderer, state } from './shell';

const TABS: Record<string, () => Promise<Child[]>> = {
  overview,
  persons,
  his,
  scenarios,
  faults,
  journal,
  notifications,
};

const main = document.getElementById('main')!;
const tabButtons = Array.from(document.querySelectorAll<HTMLButtonElement>('#tabs button'));

let rendering = 0;
async function render(): Promise<void> {
  const mine = ++rendering;
  for (const b of tabButtons) b.classList.toggle('active', b.dataset.tab === state.tab);
  main.setAttribute('aria-busy', 'true');
  let content: Child[];
  try {
    content = await TABS[state.tab]();
  } catch (err) {
    const text = err instanceof Error && err.stack ? err.stack : String(err);
    content = [h('div', { class: 'error' }, `页面出错 The console hit an error: ${text}`)];
  }
  if (mine !== rendering) return; // a newer render won
  fill(main, content);
  main.setAttribute('aria-busy', 'false');
  main.dataset.tab = state.tab;
}
setRenderer(render);

for (const b of tabButtons) {
  b.addEventListener('click', () => {
    state.tab = b.dataset.tab ?? 'overview';
    window.location.hash = state.tab;
    void render();
  });
}
const initial = window.location.hash.slice(1);
if (Object.hasOwn(TABS, initial)) state.tab = initial;
void refreshHealth();
void render();

/**
 * What the tabs share with the shell: the console's state (which tab, the journal's search) and `render()`,
 * which main.ts sets (a tab redraws itself after an action without importing the shell).
 */
import type { MockName } from '../../common/admin-client/types';

export interface JournalForm {
  mock: MockName;
  path?: string;
  method?: string;
  status?: string;
  tag?: string;
  text?: string;
  from?: string;
  to?: string;
  limit?: string;
}

export const state: { tab: string; journal: JournalForm } = {
  tab: 'overview',
  journal: { mock: 'his', limit: '100' },
};

const hooks = { render: async (): Promise<void> => {} };

/** Redraws the current tab. */
export function render(): Promise<void> {
  return hooks.render();
}

export function setRenderer(fn: () => Promise<void>): void {
  hooks.render = fn;
}

/** The mocks' own base URLs (for links), written into the page by the console server. */
export function mockBaseUrl(mock: MockName): string {
  const config = (window as { MOCK_CONSOLE?: { mocks?: Partial<Record<MockName, string>> } }).MOCK_CONSOLE;
  return config?.mocks?.[mock] ?? '';
}

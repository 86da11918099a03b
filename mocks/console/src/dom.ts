/**
 * The console's few DOM helpers: `h()` builds an element (text is always set as text, never as HTML), and the
 * small pieces every tab uses (bilingual labels, fields, tables, the mock picker).
 */
import type { MockName } from '../../common/admin-client/types';

type Handler = (event: Event) => unknown;
type AttrValue = string | number | boolean | null | undefined | Handler;
export type Attrs = Record<string, AttrValue>;
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** h('div', {class: 'x', onclick}, child, 'text') */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = String(v);
    else if (k === 'value') (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c as readonly Child[]);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export const MOCK_LABEL: Record<MockName, string> = {
  insurance: '医保平台 Insurance',
  his: 'HIS 医院信息系统',
  wechatpay: '微信支付 WeChat Pay',
};

/** "中文" with its English in a smaller span */
export const bi = (zh: string, en: string): Child[] => [zh, h('span', { class: 'en' }, en)];

/** The trimmed value of an input, select or textarea by id. */
export function val(id: string): string {
  const el = document.getElementById(id) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null;
  return el ? el.value.trim() : '';
}

/** A labelled input: Chinese, English, the input. */
export function field(zh: string, en: string, input: Node): HTMLLabelElement {
  return h('label', {}, h('span', {}, zh, h('span', { class: 'en' }, en)), input);
}

/** A table; a header is a text or [zh, en]; no rows → "none". */
export function table(
  headers: readonly (string | readonly [string, string])[],
  rows: readonly Node[],
  opts: { id?: string } = {},
): HTMLTableElement {
  return h(
    'table',
    { id: opts.id },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => h('th', {}, typeof x === 'string' ? x : bi(x[0], x[1]))),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, '— 无 none —')),
    ),
  );
}

export function mockSelect(id: string, selected: string, list: readonly MockName[]): HTMLSelectElement {
  return h(
    'select',
    { id },
    list.map((m) => h('option', { value: m, selected: m === selected }, MOCK_LABEL[m])),
  );
}

/** An id or URL on one line, cut with an ellipsis; the whole value in its title. */
export const clip = (text: string, extra?: string) =>
  h('div', { class: `clip ${extra ?? ''}`, title: text }, text);

/** A card's inline error (in addition to the answer panel). */
export const errorBox = (a: { error?: string }) => h('div', { class: 'error' }, a.error);

export const pretty = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));

/** A body as sent or received: JSON indented, anything else as it is. */
export function prettyText(text: string | undefined): string {
  if (!text) return '(empty)';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A form whose submit runs `onSubmit` instead of navigating. */
export function form(attrs: Attrs, onSubmit: () => unknown, ...children: Child[]): HTMLFormElement {
  return h(
    'form',
    {
      class: 'inline',
      ...attrs,
      onsubmit: (e: Event) => {
        e.preventDefault();
        return onSubmit();
      },
    },
    ...children,
  );
}

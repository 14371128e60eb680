import { DIMENSIONS, type Dimension, type Granularity, WINDOWS, type Window } from './model';
import { LANGUAGES, type Language } from './i18n';

/** What the page shows, kept in the URL with the API's parameter names: `/?window=ytd&scope.nationality=CN`. */
export type ViewState = {
  window: Window;
  dimension: Dimension | undefined;
  value: string | undefined;
  lang: Language;
  granularity: Granularity;
};

export function readState(search: string, fallbackLang: Language): ViewState {
  const q = new URLSearchParams(search);
  const window = (WINDOWS as readonly string[]).includes(q.get('window') ?? '') ? (q.get('window') as Window) : 'ytd';
  let dimension: Dimension | undefined;
  let value: string | undefined;
  for (const d of DIMENSIONS) {
    const v = q.get(`scope.${d}`);
    if (v) {
      dimension = d;
      value = v;
      break;
    }
  }
  const lang = (LANGUAGES as readonly string[]).includes(q.get('lang') ?? '')
    ? (q.get('lang') as Language)
    : fallbackLang;
  const g = q.get('granularity');
  const granularity: Granularity = g === 'day' || g === 'week' || g === 'month' ? g : 'week';
  return { window, dimension, value, lang, granularity };
}

export function searchOf(state: ViewState): string {
  const q = new URLSearchParams();
  q.set('window', state.window);
  if (state.dimension && state.value) q.set(`scope.${state.dimension}`, state.value);
  q.set('lang', state.lang);
  if (state.granularity !== 'week') q.set('granularity', state.granularity);
  return `?${q.toString()}`;
}

/** The browser's preferred language among ours. */
export function preferredLanguage(languages: readonly string[]): Language {
  for (const l of languages) {
    const base = l.slice(0, 2).toLowerCase();
    if ((LANGUAGES as readonly string[]).includes(base)) return base as Language;
  }
  return 'en';
}

// The Log page's filters as a query string (pure): the page's address carries them, so a
// remediation can link to "Log (filter: encoder)" and a filtered view can be bookmarked.

export const LEVEL_CHOICES = [
  { value: '', label: 'All levels' },
  { value: 'debug', label: 'Debug and worse' },
  { value: 'info', label: 'Info and worse' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'error', label: 'Errors only' },
] as const;
export type LevelChoice = (typeof LEVEL_CHOICES)[number]['value'];

export interface LogFilters {
  level: LevelChoice;
  text: string;
  component: string;
}

export const NO_FILTERS: LogFilters = { level: '', text: '', component: '' };

function isLevelChoice(value: string): value is LevelChoice {
  return LEVEL_CHOICES.some((choice) => choice.value === value);
}

/** "?level=warn&q=encoder" → the filters (unknown levels are ignored). */
export function filtersFromSearch(search: string): LogFilters {
  const params = new URLSearchParams(search);
  const level = params.get('level') ?? '';
  return {
    level: isLevelChoice(level) ? level : '',
    text: params.get('q') ?? '',
    component: params.get('component') ?? '',
  };
}

/** The filters → "level=warn&q=encoder" (empty ones left out), for the page's address and the API. */
export function searchOfFilters(filters: LogFilters): string {
  const params = new URLSearchParams();
  if (filters.level) params.set('level', filters.level);
  if (filters.text.trim()) params.set('q', filters.text.trim());
  if (filters.component) params.set('component', filters.component);
  return params.toString();
}

/** Where a remediation's words lead: "Log (filter: encoder)" and "Settings → Encoder". */
export type RemediationPart = { text: string } | { text: string; to: string };

const ACTIONABLE = /Log \(filter: ([^)]+)\)|Settings → Encoder/g;

/** A remediation sentence cut into plain text and links to the page that acts on it. */
export function remediationParts(sentence: string): RemediationPart[] {
  const parts: RemediationPart[] = [];
  let last = 0;
  for (const match of sentence.matchAll(ACTIONABLE)) {
    const at = match.index;
    if (at > last) parts.push({ text: sentence.slice(last, at) });
    const filter = match[1];
    parts.push({
      text: match[0],
      to:
        filter !== undefined
          ? `/log?${searchOfFilters({ ...NO_FILTERS, text: filter })}`
          : '/settings#encoder',
    });
    last = at + match[0].length;
  }
  if (last < sentence.length) parts.push({ text: sentence.slice(last) });
  return parts;
}

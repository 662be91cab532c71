// The Log page: the appliance's recent log lines (kept in memory, secrets already removed), newest
// first, filtered by level, component and text; refreshed every few seconds unless paused; the
// lines shown can be copied for a support request. The filters live in the page's address.
import { useEffect, useState } from 'react';
import type { LogAnswer, LogLine } from '../../../../src/core/recent-logs.ts';
import { api } from '../../api/client.ts';
import { CheckField } from '../../components/forms.tsx';
import { Button, ErrorNotice, Field, PageHeader, SelectField, Spinner } from '../../components/ui.tsx';
import {
  LEVEL_CHOICES,
  filtersFromSearch,
  searchOfFilters,
  type LevelChoice,
  type LogFilters,
} from './log-filters.ts';
import '../../components/forms.css';
import './log.css';

const REFRESH_MS = 3000;

/** "14:03:07.120" in the browser's zone (the date is in the title). */
function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.toLocaleTimeString('en-GB', { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function lineText(line: LogLine): string {
  return [line.time, line.level.toUpperCase(), line.component, line.message, line.details]
    .filter(Boolean)
    .join(' ');
}

/** The Clipboard API needs https or localhost; on the venue's plain http a selection is copied. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused: fall back below.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  // execCommand is deprecated but the only way on plain http.
  const copied = document.execCommand('copy');
  area.remove();
  return copied;
}

export function Log() {
  const [filters, setFilters] = useState<LogFilters>(() => filtersFromSearch(location.search));
  const [autoRefresh, setAutoRefresh] = useState(true);
  const [answer, setAnswer] = useState<LogAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const [copied, setCopied] = useState<string | null>(null);
  const search = searchOfFilters(filters);

  // The address follows the filters (a reload or a bookmark keeps them).
  useEffect(() => {
    const wanted = `/log${search ? `?${search}` : ''}`;
    if (location.pathname + location.search !== wanted) history.replaceState(null, '', wanted);
  }, [search]);

  useEffect(() => {
    const controller = new AbortController();
    api
      .get<LogAnswer>(`/api/logs${search ? `?${search}` : ''}`, controller.signal)
      .then((value) => {
        setAnswer(value);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(failure);
      });
    return () => controller.abort();
  }, [search, generation]);

  useEffect(() => {
    if (!autoRefresh) return;
    const timer = window.setInterval(() => setGeneration((n) => n + 1), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [autoRefresh]);

  const change = (patch: Partial<LogFilters>): void => {
    setCopied(null);
    setFilters((now) => ({ ...now, ...patch }));
  };
  const components = answer
    ? [...new Set([...answer.components, ...(filters.component ? [filters.component] : [])])].sort()
    : [];
  const lines = answer?.lines ?? [];

  return (
    <section className="log-page">
      <PageHeader title="Log">
        <Button onClick={() => setGeneration((n) => n + 1)}>Refresh</Button>
        <Button
          disabled={lines.length === 0}
          onClick={() =>
            void copyText(lines.map(lineText).join('\n')).then((ok) =>
              setCopied(
                ok
                  ? `Copied ${lines.length} lines to the clipboard.`
                  : 'Could not copy: select the lines and copy them by hand.',
              ),
            )
          }
        >
          Copy lines
        </Button>
      </PageHeader>
      <p className="hint">
        The appliance’s most recent log lines, newest first (kept in memory: a restart starts afresh). Stream
        keys and passwords are removed before a line is written.
      </p>
      <form
        className="log-filters"
        role="search"
        aria-label="Filter the log"
        onSubmit={(e) => e.preventDefault()}
      >
        <SelectField
          label="Level"
          value={filters.level}
          onChange={(event) => change({ level: event.target.value as LevelChoice })}
        >
          {LEVEL_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Component"
          value={filters.component}
          onChange={(event) => change({ component: event.target.value })}
        >
          <option value="">All components</option>
          {components.map((component) => (
            <option key={component} value={component}>
              {component}
            </option>
          ))}
        </SelectField>
        <Field
          label="Text"
          type="search"
          value={filters.text}
          onChange={(event) => change({ text: event.target.value })}
          placeholder="e.g. encoder, timeout"
          autoComplete="off"
          spellCheck={false}
        />
        <CheckField checked={autoRefresh} onChange={setAutoRefresh}>
          Refresh every {REFRESH_MS / 1000} s
        </CheckField>
      </form>
      <ErrorNotice error={error} />
      {copied ? <p role="status">{copied}</p> : null}
      {!answer && !error ? <Spinner label="Loading the log…" /> : null}
      {answer ? (
        <p className="hint" data-testid="log-count">
          {lines.length === 0
            ? `No line matches (${answer.kept} kept).`
            : `Showing ${lines.length} of ${answer.kept} lines kept (at most ${answer.capacity}).`}
        </p>
      ) : null}
      {lines.length > 0 ? (
        <div className="log-scroll">
          <table className="data log-lines">
            <caption className="visually-hidden">Log lines, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Level</th>
                <th scope="col">Component</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr key={line.seq} className={`log-${line.level}`}>
                  <td title={line.time}>{clockTime(line.time)}</td>
                  <td>
                    <span className={`log-level log-level-${line.level}`}>{line.level}</span>
                  </td>
                  <td>{line.component}</td>
                  <td>
                    {line.message}
                    {line.details ? <span className="log-details"> {line.details}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

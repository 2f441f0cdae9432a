import { hubClockOffset } from './api';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/** A titled part of the page; its heading names it for screen readers and the skip links. */
export function Section(props: { id: string; title: string; count?: number; children: ComponentChildren }) {
  return (
    <section id={props.id} aria-labelledby={`${props.id}-title`} class="section">
      <h2 id={`${props.id}-title`}>
        {props.title}
        {props.count !== undefined && (
          <>
            {' '}
            <span class="count">{props.count}</span>
          </>
        )}
      </h2>
      {props.children}
    </section>
  );
}

/** What an empty list says instead of nothing: what will appear here, and how to make it appear. */
export function Empty(props: { children: ComponentChildren }) {
  return <div class="empty">{props.children}</div>;
}

/**
 * The current time on the hub's clock, re-read every `everyMs`: drives countdowns and
 * "5 min ago", which compare against times the hub stamped.
 */
export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(Date.now() + hubClockOffset);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + hubClockOffset), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * Runs one admin API request for a button or form: disables it while the request runs and keeps
 * the hub's refusal to show beside it. Success needs no message: the next `state` event shows it.
 */
export function useAction(): { busy: boolean; error: string | undefined; run: (work: () => Promise<unknown>) => Promise<boolean> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export function ErrorText(props: { error: string | undefined }) {
  return props.error ? <p class="error" role="alert">{props.error}</p> : null;
}

/** Copies `text`; falls back to selecting it, so Ctrl+C still works where the clipboard API is refused. */
export function CopyButton(props: { text: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();
  const reset = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(reset.current), []);
  const copy = async (event: MouseEvent) => {
    let ok = true;
    try {
      await navigator.clipboard.writeText(props.text);
    } catch {
      ok = false;
      const block = (event.currentTarget as HTMLElement).closest('.snippet')?.querySelector('pre');
      if (block) window.getSelection()?.selectAllChildren(block);
    }
    setCopied(ok ? 'yes' : 'no');
    clearTimeout(reset.current);
    reset.current = setTimeout(() => setCopied(undefined), 2_000);
  };
  return (
    <button type="button" class="secondary" onClick={copy} aria-label={props.label}>
      {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Selected: press Ctrl+C' : 'Copy'}
    </button>
  );
}

/** A block of text to paste somewhere else, with its Copy button. */
export function Snippet(props: { title: string; text: string; hint?: ComponentChildren }) {
  return (
    <div class="snippet">
      <div class="snippet-head">
        <h4>{props.title}</h4>
        <CopyButton text={props.text} label={`Copy ${props.title} config`} />
      </div>
      {props.hint && <p class="hint">{props.hint}</p>}
      <pre tabIndex={0} aria-label={`${props.title} config`}>
        {props.text}
      </pre>
    </div>
  );
}

/** "42 s", "5 min", "3 h", "2 d": how long ago (or how long until) for people. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** A local wall-clock time, with the date when it is not today (and the year when not this year). */
export function clock(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const time = date.toLocaleTimeString();
  if (date.toDateString() === now.toDateString()) return time;
  const day = date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }) });
  return `${day}, ${time}`;
}

/** How long something took, for people: "< 1 ms", "120 ms", "9.5 s", "2 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1) return '< 1 ms';
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const s = Math.round(ms / 1000);
  return s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

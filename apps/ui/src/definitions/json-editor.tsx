import { useCallback, useImperativeHandle, useMemo, useRef, type KeyboardEvent, type Ref } from 'react';
import { LineIndex } from '../model/json-locate';
import { shortValue, type EditorProblem } from './definition-model';

/** Every row (textarea, gutter, marks) is this tall and starts this far down: they stay aligned by arithmetic. */
const LINE = 18;
const PAD_TOP = 8;
const PAD_LEFT = 10;
const TAB = 2;

export interface JsonEditorHandle {
  /** Puts the caret at a line and column and scrolls it into view. */
  jumpTo(line: number, column?: number): void;
}

interface Props {
  value: string;
  onChange?: (text: string) => void;
  problems?: readonly EditorProblem[];
  readOnly?: boolean;
  /** Ctrl/Cmd+S. */
  onSave?: () => void;
  /** A short editor (the start form's input). */
  compact?: boolean;
  label?: string;
  ref?: Ref<JsonEditorHandle>;
}

/** Columns a text takes on screen (tabs to their stops), to place marks in a monospace font. */
function widthOf(text: string): number {
  let w = 0;
  for (const c of text) w = c === '\t' ? w + TAB - (w % TAB) : w + 1;
  return w;
}

const describeProblem = (p: EditorProblem): string => `${p.path && p.source === 'server' ? `${p.path}: ` : ''}${p.message}`;

/**
 * A JSON text editor: a textarea over layers that mark problem lines, beside a line-number gutter. A problem's
 * line is tinted, its gutter number marked, its position underlined and its message written after the line's
 * end; the list below names every problem and jumps to it.
 */
export function JsonEditor({ value, onChange, problems = [], readOnly, onSave, compact, label, ref }: Props) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const bands = useRef<HTMLDivElement>(null);
  const marks = useRef<HTMLDivElement>(null);
  const probe = useRef<HTMLSpanElement>(null);
  const lines = useMemo(() => value.split('\n'), [value]);
  const byLine = useMemo(() => {
    const out = new Map<number, EditorProblem[]>();
    for (const p of problems) if (p.line !== undefined && p.line <= lines.length) out.set(p.line, [...(out.get(p.line) ?? []), p]);
    return out;
  }, [problems, lines.length]);

  const sync = useCallback(() => {
    const t = area.current;
    if (!t) return;
    if (gutter.current) gutter.current.style.transform = `translateY(${-t.scrollTop}px)`;
    if (bands.current) bands.current.style.transform = `translateY(${-t.scrollTop}px)`;
    if (marks.current) marks.current.style.transform = `translate(${-t.scrollLeft}px, ${-t.scrollTop}px)`;
  }, []);

  const jumpTo = useCallback(
    (line: number, column = 1) => {
      const t = area.current;
      if (!t) return;
      const offset = Math.min(new LineIndex(t.value).offsetOf(line, column), t.value.length);
      t.focus({ preventScroll: true });
      t.setSelectionRange(offset, offset);
      t.scrollTop = Math.max(0, (line - 1) * LINE - t.clientHeight / 3);
      const charWidth = (probe.current?.getBoundingClientRect().width ?? 72) / 10;
      const x = PAD_LEFT + widthOf((t.value.split('\n')[line - 1] ?? '').slice(0, column - 1)) * charWidth;
      t.scrollLeft = x > t.clientWidth - 40 ? x - t.clientWidth / 2 : 0;
      sync();
    },
    [sync],
  );
  useImperativeHandle(ref, () => ({ jumpTo }), [jumpTo]);

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's' && onSave) {
      e.preventDefault();
      onSave();
    }
  };

  const marked = [...byLine.entries()];
  // The gutter is a row per line: drawn again only when the line count or the marks change, not per keystroke.
  const signature = problems.map((p) => `${p.line}:${p.column}:${p.stale}:${p.path}:${p.message}`).join('\n');
  const gutterRows = useMemo(
    () =>
      lines.map((_, i) => {
        const here = byLine.get(i + 1);
        return (
          <div
            key={i}
            className={`je-ln${here ? (here.every((p) => p.stale) ? ' stale' : ' bad') : ''}`}
            style={{ height: LINE, lineHeight: `${LINE}px` }}
            title={here?.map(describeProblem).join('\n')}
            onClick={here ? () => jumpTo(i + 1, here[0].column) : undefined}
          >
            {here && <span className="je-mark">●</span>}
            {i + 1}
          </div>
        );
      }),
    // `lines` itself changes per keystroke; only its length matters here, and `signature` stands for byLine.
    [lines.length, signature, jumpTo],
  );
  return (
    <div className={`je${compact ? ' compact' : ''}${problems.length ? ' has-problems' : ''}`}>
      <div className="je-frame">
        <div className="je-gutter" aria-hidden>
          <div ref={gutter} style={{ paddingTop: PAD_TOP }}>
            {gutterRows}
          </div>
        </div>
        <div className="je-body">
          <div className="je-backdrop" aria-hidden>
            <div ref={bands} className="je-bands">
              {marked.map(([line, here]) => (
                <div key={line} className={`je-band${here.every((p) => p.stale) ? ' stale' : ''}`} style={{ top: PAD_TOP + (line - 1) * LINE, height: LINE }} />
              ))}
            </div>
            <div ref={marks} className="je-marks">
              <span ref={probe} className="je-probe">
                0000000000
              </span>
              {marked.map(([line, here]) => {
                const text = lines[line - 1];
                const col = Math.min(here[0].column ?? 1, text.length + 1);
                const start = widthOf(text.slice(0, col - 1));
                const end = Math.max(widthOf(text.trimEnd()), start + 1);
                const top = PAD_TOP + (line - 1) * LINE;
                return [
                  <span key={`u${line}`} className={`je-squiggle${here[0].stale ? ' stale' : ''}`} style={{ top, height: LINE, left: `calc(${start}ch + ${PAD_LEFT}px)`, width: `${end - start}ch` }} />,
                  <span key={`m${line}`} className={`je-lens${here.every((p) => p.stale) ? ' stale' : ''}`} style={{ top, height: LINE, lineHeight: `${LINE}px`, left: `calc(${widthOf(text) + 3}ch + ${PAD_LEFT}px)` }}>
                    <span>
                      {here[0].missing ? 'missing here — ' : ''}
                      {describeProblem(here[0])}
                      {here.length > 1 ? ` (+${here.length - 1} more)` : ''}
                    </span>
                  </span>,
                ];
              })}
            </div>
          </div>
          <textarea
            ref={area}
            className="je-text"
            value={value}
            onChange={(e) => onChange?.(e.target.value)}
            onScroll={sync}
            onKeyDown={onKeyDown}
            readOnly={readOnly}
            wrap="off"
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            aria-label={label ?? 'JSON'}
            style={{ lineHeight: `${LINE}px`, padding: `${PAD_TOP}px ${PAD_LEFT}px`, tabSize: TAB }}
          />
        </div>
      </div>
      {problems.length > 0 && (
        <ul className="je-problems">
          {problems.map((p, i) => (
            <li key={i} className={`${p.source}${p.stale ? ' stale' : ''}${p.line === undefined ? '' : ' placed'}`}>
              {p.line !== undefined ? (
                <button type="button" className="je-where" title="Go to the line" onClick={() => jumpTo(p.line!, p.column)}>
                  line {p.line}
                </button>
              ) : (
                <span className="je-where">—</span>
              )}
              {p.source === 'syntax' ? <span className="je-kind">JSON syntax</span> : p.path ? <code>{p.path}</code> : null}
              <span className="je-msg">
                {p.missing ? '(missing) ' : ''}
                {p.message}
              </span>
              {p.invalidValue !== undefined && <span className="je-value">was {shortValue(p.invalidValue)}</span>}
              {p.stale && <span className="je-stale">checked before your last edit</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// The spec editor: CodeMirror 6 with the TOML mode, and the server's diagnostics as lint marks.
import { minimalSetup } from 'codemirror';
import { EditorState, Text } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter } from '@codemirror/view';
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching } from '@codemirror/language';
import { toml } from '@codemirror/legacy-modes/mode/toml';
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { search, searchKeymap } from '@codemirror/search';
import type { Diagnostic, Position } from './api';

export function createEditor(parent: HTMLElement, onChange: (text: string) => void): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: '',
      extensions: [
        minimalSetup,
        lineNumbers(),
        highlightActiveLine(),
        highlightActiveLineGutter(),
        bracketMatching(),
        StreamLanguage.define(toml),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        search({ top: true }),
        keymap.of(searchKeymap),
        lintGutter(),
        EditorView.lineWrapping,
        // An explicit tab stop on the editable content: the scroller around it then has keyboard
        // access by a focusable descendant (axe's scrollable-region-focusable), and the tab
        // order is what it was (the content is where Tab lands anyway).
        EditorView.contentAttributes.of({ 'aria-label': 'Spec (TOML) editor', tabindex: '0' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
}

/** Replaces the whole document (a framework picked from the library). */
export function setText(view: EditorView, text: string) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, selection: { anchor: 0 } });
  view.scrollDOM.scrollTop = 0;
}

/**
 * A document offset from a 1-based line and column. The server counts columns in Unicode
 * scalar values (crates/spec/src/diagnostic.rs `line_col`); CodeMirror counts UTF-16 units.
 */
export function offsetOf(doc: Text, p: Position): number {
  if (p.line < 1) return 0;
  if (p.line > doc.lines) return doc.length;
  const line = doc.line(p.line);
  let units = 0;
  let chars = 0;
  while (chars < p.column - 1 && units < line.length) {
    const code = line.text.charCodeAt(units);
    units += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    chars++;
  }
  return line.from + Math.min(units, line.length);
}

/** Shows the server's diagnostics in the editor (underlines and gutter markers). */
export function showDiagnostics(view: EditorView, diagnostics: Diagnostic[]) {
  const doc = view.state.doc;
  const marks: CmDiagnostic[] = diagnostics.map((d) => {
    const from = d.start ? offsetOf(doc, d.start) : 0;
    let to = d.end ? offsetOf(doc, d.end) : from;
    if (to < from) to = from;
    const severity = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info';
    const extra = [d.help ? `help: ${d.help}` : '', ...d.notes.map((n) => `note: ${n}`)].filter(Boolean).join('\n');
    return { from, to, severity, source: d.code, message: d.message + (extra ? `\n${extra}` : '') };
  });
  view.dispatch(setDiagnostics(view.state, marks));
}

/** Moves the cursor to a position and focuses the editor (from the diagnostics list). */
export function reveal(view: EditorView, p: Position) {
  const at = offsetOf(view.state.doc, p);
  view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: 'center' }) });
  view.focus();
}

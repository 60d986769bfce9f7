import type { ReactiveController, ReactiveControllerHost } from "lit";

/** Lists up to this long render every row (the DOM stays small, and Find in page sees them all). */
export const RENDER_ALL_UP_TO = 100;
/** Rows rendered beyond each edge of the viewport, so Tab and fast scrolling meet rendered rows. */
const OVERSCAN = 10;

/** The rows to render: `[start, end)` of the list, and the height standing in for those above and below. */
export interface RowWindow {
  start: number;
  end: number;
  /** Pixels above the first rendered row: `start` rows at the estimated height. */
  above: number;
  /** Pixels below the last rendered row. */
  below: number;
}

type Host = ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment };

/**
 * Row virtualization for the key table. A long list renders only the rows near the viewport,
 * between two spacer rows that stand in for the others at the measured average row height, so
 * rendering 10,000 keys costs what rendering 40 does. It follows whatever scrolls the element
 * (the page, or any scrolling ancestor: scroll events are caught on the document) and the
 * viewport's size.
 *
 * The table keeps its semantics: `aria-rowcount` gives the full size and each row its
 * `aria-rowindex`. The keyboard reaches every row: Tab moves through the rendered rows (focus
 * scrolls, and the window follows), ArrowUp/ArrowDown move from row to row, and Ctrl+Home /
 * Ctrl+End jump to the first and the last row, rendering it first.
 *
 * @example
 * private readonly rows = new VirtualRows(this);
 * const { start, end, above, below } = this.rows.window(keys.length);
 */
export class VirtualRows implements ReactiveController {
  /** The estimated height of one row in px, refined from the rows on screen after each render. */
  private rowHeight = 48;
  private start = 0;
  private end = 0;
  /** The length of the list last rendered. */
  private total = 0;
  private frame = 0;
  /** A row to focus once it has been rendered (keyboard navigation to a row off screen). */
  private pendingFocus: number | null = null;
  /** Where the focus was before an update: a key's row, and which of its controls (-1: the row). */
  private focused: [id: string, control: number] | null = null;

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener("scroll", this.onViewportChange, { capture: true, passive: true });
    window.addEventListener("resize", this.onViewportChange, { passive: true });
  }

  hostDisconnected(): void {
    document.removeEventListener("scroll", this.onViewportChange, { capture: true });
    window.removeEventListener("resize", this.onViewportChange);
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  hostUpdate(): void {
    // Rows are rendered by position, so when the window moves a row element shows another key:
    // remember which key's control has the focus, to put the focus back on it after the update.
    const active = (this.host.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
    const row = active?.closest<HTMLElement>("tr[data-key-id]");
    this.focused = row ? [row.dataset.keyId!, [...controls(row)].indexOf(active!)] : null;
  }

  hostUpdated(): void {
    if (this.focused) {
      const [id, control] = this.focused;
      const row = this.body()?.querySelector<HTMLElement>(`tr[data-key-id="${id}"]`);
      const target = row && (control < 0 ? row : controls(row)[control]);
      const active = (this.host.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
      // The focused key scrolled out of the window: its element now shows another key, so it
      // must not keep the focus (Enter would act on the wrong key).
      if (!target) active?.blur();
      else if (target !== active) target.focus({ preventScroll: true });
    }
    const rows = this.renderedRows();
    if (rows.length > 1) {
      // The average pitch of the rendered rows, margins included (the narrow layout's cards).
      const first = rows[0]!.getBoundingClientRect().top;
      const last = rows[rows.length - 1]!.getBoundingClientRect().top;
      const measured = (last - first) / (rows.length - 1);
      if (measured > 0 && Math.abs(measured - this.rowHeight) > 1) {
        this.rowHeight = measured;
        this.host.requestUpdate(); // the spacers' heights
        this.onViewportChange();
      }
    }
    if (this.pendingFocus !== null) {
      const row = this.body()?.querySelector<HTMLElement>(`tr[data-index="${this.pendingFocus}"]`);
      if (row) {
        this.pendingFocus = null;
        row.focus();
      }
    }
  }

  /** The rows to render for a list of `total` keys. */
  window(total: number): RowWindow {
    this.total = total;
    if (total <= RENDER_ALL_UP_TO) return { start: 0, end: total, above: 0, below: 0 };
    if (this.end === 0) this.end = Math.ceil(innerHeight / this.rowHeight) + OVERSCAN;
    const end = Math.min(total, this.end);
    const start = Math.min(this.start, Math.max(0, end - 1));
    return { start, end, above: start * this.rowHeight, below: (total - end) * this.rowHeight };
  }

  /**
   * The table body's keyboard: ArrowUp/ArrowDown to the previous or next row, Ctrl+Home and
   * Ctrl+End (⌘ on a Mac) to the first and the last.
   */
  readonly onKeydown = (event: KeyboardEvent): void => {
    const row = (event.target as HTMLElement).closest<HTMLElement>("tr[data-index]");
    const rows = this.total;
    if (!row) return;
    const index = Number(row.dataset.index);
    const jump = event.ctrlKey || event.metaKey;
    const target =
      event.key === "ArrowDown" ? index + 1
      : event.key === "ArrowUp" ? index - 1
      : jump && event.key === "Home" ? 0
      : jump && event.key === "End" ? rows - 1
      : null;
    if (target === null || target < 0 || target >= rows) return;
    event.preventDefault();
    this.focusRow(target);
  };

  /** Renders the row at `index` if it isn't, then focuses it (which scrolls it into view). */
  private focusRow(index: number): void {
    const total = this.total;
    this.pendingFocus = index;
    if (total > RENDER_ALL_UP_TO && (index < this.start || index >= this.end)) {
      const visible = Math.ceil(innerHeight / this.rowHeight);
      this.start = Math.max(0, index - OVERSCAN);
      this.end = Math.min(total, index + visible + OVERSCAN);
    }
    this.host.requestUpdate();
  }

  private readonly onViewportChange = (): void => {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.follow();
    });
  };

  /** Moves the window to the part of the table body that is in the viewport. */
  private follow(): void {
    const body = this.body();
    const total = this.total;
    if (!body || total <= RENDER_ALL_UP_TO) return;
    const box = body.getBoundingClientRect();
    const top = Math.max(0, -box.top);
    const bottom = Math.max(top, Math.min(box.height, innerHeight - box.top));
    const start = Math.max(0, Math.floor(top / this.rowHeight) - OVERSCAN);
    const end = Math.min(total, Math.max(start + 1, Math.ceil(bottom / this.rowHeight) + OVERSCAN));
    if (start === this.start && end === this.end) return;
    this.start = start;
    this.end = end;
    this.host.requestUpdate();
  }

  private body(): HTMLElement | null {
    return this.host.renderRoot.querySelector("tbody");
  }

  private renderedRows(): HTMLElement[] {
    return [...(this.body()?.querySelectorAll<HTMLElement>("tr[data-index]") ?? [])];
  }
}

/** A row's focusable controls, in order. */
const controls = (row: HTMLElement) => row.querySelectorAll<HTMLElement>("button, a, input, select");

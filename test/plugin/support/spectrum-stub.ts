// Stand-ins for Photoshop's built-in Spectrum UXP widgets, so that the real panel markup works
// and looks like a panel in Chromium. They mimic the widgets' API the panel uses (UXP docs):
// `disabled`/`quiet` attributes, sp-checkbox `checked` + change, sp-slider `value` + input/change,
// sp-dropdown `selectedIndex` + change over sp-menu-item children, sp-progressbar `value`/`max`,
// sp-textfield `value` + input. Appearance: Photoshop's dark theme, approximately.

const SHADOW_BASE = ':host([disabled]) { opacity: 0.45; pointer-events: none; }';

function shadow(host: HTMLElement, css: string, html: string): ShadowRoot {
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>${SHADOW_BASE}${css}</style>${html}`;
  return root;
}

/** Buttons: a disabled one swallows clicks, as the native widget does. */
class SpButtonStub extends HTMLElement {
  constructor() {
    super();
    this.addEventListener('click', (e) => {
      if (this.hasAttribute('disabled')) e.stopImmediatePropagation();
    });
  }
  connectedCallback() {
    this.setAttribute('role', 'button');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
  }
}

class SpCheckboxStub extends HTMLElement {
  constructor() {
    super();
    shadow(
      this,
      `:host { display: inline-flex; align-items: center; cursor: default; }
       .box { width: 12px; height: 12px; border: 2px solid #b3b3b3; border-radius: 2px; margin-right: 8px; display: flex; align-items: center; justify-content: center; box-sizing: content-box; }
       :host([checked]) .box { background: #378ef0; border-color: #378ef0; }
       svg { width: 10px; height: 10px; display: none; }
       :host([checked]) svg { display: block; }`,
      `<span class="box"><svg viewBox="0 0 10 10"><path d="M1.5 5.2 L4 7.6 L8.6 2.4" fill="none" stroke="white" stroke-width="1.8"/></svg></span><slot></slot>`,
    );
    this.addEventListener('click', (e) => {
      if (this.hasAttribute('disabled')) return void e.stopImmediatePropagation();
      this.checked = !this.checked;
      this.dispatchEvent(new Event('change', { bubbles: true }));
    });
  }
  get checked(): boolean {
    return this.hasAttribute('checked');
  }
  set checked(v: boolean) {
    this.toggleAttribute('checked', Boolean(v));
  }
}

class SpSliderStub extends HTMLElement {
  private readonly input: HTMLInputElement;
  constructor() {
    super();
    const root = shadow(
      this,
      `:host { display: block; }
       input { width: 100%; margin: 6px 0 2px; accent-color: #d6d6d6; height: 16px; }`,
      `<slot name="label"></slot><input type="range">`,
    );
    this.input = root.querySelector('input')!;
    for (const type of ['input', 'change']) {
      this.input.addEventListener(type, (e) => {
        e.stopPropagation();
        this.dispatchEvent(new Event(type, { bubbles: true }));
      });
    }
  }
  static get observedAttributes() {
    return ['min', 'max', 'step', 'value'];
  }
  attributeChangedCallback(name: string, _old: string | null, v: string | null) {
    if (v !== null) this.input.setAttribute(name, v);
    if (name === 'value' && v !== null) this.input.value = v;
  }
  get value(): number {
    return Number(this.input.value);
  }
  set value(v: number) {
    this.input.value = String(v);
  }
}

class SpDropdownStub extends HTMLElement {
  private readonly select: HTMLSelectElement;
  private pending = -1;
  constructor() {
    super();
    const root = shadow(
      this,
      `:host { display: inline-block; min-width: 0; }
       select { width: 100%; height: 26px; padding: 0 24px 0 8px; color: #e3e3e3; background: #1f1f1f url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='10' height='6'%3E%3Cpath d='M1 1l4 4 4-4' fill='none' stroke='%23c8c8c8' stroke-width='1.5'/%3E%3C/svg%3E") no-repeat right 8px center;
         border: 1px solid #555; border-radius: 4px; appearance: none; font: inherit; font-size: 12px; outline: none; text-overflow: ellipsis; }
       select:hover { border-color: #6e6e6e; }`,
      `<select></select>`,
    );
    this.select = root.querySelector('select')!;
    this.select.addEventListener('change', () => {
      this.pending = this.select.selectedIndex;
      this.dispatchEvent(new Event('change', { bubbles: true }));
    });
    new MutationObserver(() => this.rebuild()).observe(this, { childList: true, subtree: true, attributes: true, characterData: true });
  }
  connectedCallback() {
    this.rebuild();
  }
  private rebuild() {
    const items = [...this.querySelectorAll('sp-menu-item')];
    this.select.replaceChildren(
      ...items.map((item) => {
        const o = document.createElement('option');
        o.textContent = item.textContent?.trim() ?? '';
        o.disabled = item.hasAttribute('disabled');
        return o;
      }),
    );
    const marked = items.findIndex((i) => i.hasAttribute('selected'));
    this.select.selectedIndex = marked >= 0 ? marked : this.pending;
  }
  get selectedIndex(): number {
    return this.select.selectedIndex;
  }
  set selectedIndex(v: number) {
    this.pending = v;
    this.select.selectedIndex = v;
  }
}

class SpProgressbarStub extends HTMLElement {
  private readonly root: ShadowRoot;
  constructor() {
    super();
    this.root = shadow(
      this,
      `:host { display: block; }
       .top { display: flex; justify-content: space-between; font-size: 12px; color: #c8c8c8; margin-bottom: 5px; }
       .track { height: 4px; border-radius: 2px; background: #4b4b4b; overflow: hidden; }
       .fill { height: 100%; background: #378ef0; width: 0; }`,
      `<div class="top"><slot name="label"></slot><span class="pct"></span></div><div class="track"><div class="fill"></div></div>`,
    );
  }
  static get observedAttributes() {
    return ['value', 'max'];
  }
  attributeChangedCallback() {
    const max = Number(this.getAttribute('max') ?? 100) || 100;
    const value = Math.min(max, Math.max(0, Number(this.getAttribute('value') ?? 0)));
    (this.root.querySelector('.fill') as HTMLElement).style.width = `${(100 * value) / max}%`;
    this.root.querySelector('.pct')!.textContent = `${Math.round((100 * value) / max)}%`;
  }
  get value(): number {
    return Number(this.getAttribute('value') ?? 0);
  }
  set value(v: number) {
    this.setAttribute('value', String(v));
  }
}

class SpTextfieldStub extends HTMLElement {
  private readonly input: HTMLInputElement;
  constructor() {
    super();
    const root = shadow(
      this,
      `:host { display: inline-block; }
       input { width: 100%; box-sizing: border-box; height: 26px; padding: 0 8px; color: #e3e3e3; background: #1f1f1f; border: 1px solid #555; border-radius: 4px; font: inherit; font-size: 12px; outline: none; }
       input:focus { border-color: #378ef0; }
       input::placeholder { color: #8a8a8a; }`,
      `<input>`,
    );
    this.input = root.querySelector('input')!;
    this.input.addEventListener('input', (e) => {
      e.stopPropagation();
      this.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }
  static get observedAttributes() {
    return ['type', 'placeholder'];
  }
  attributeChangedCallback(name: string, _old: string | null, v: string | null) {
    if (v !== null) this.input.setAttribute(name, v);
  }
  get value(): string {
    return this.input.value;
  }
  set value(v: string) {
    this.input.value = v;
  }
}

export function defineSpectrumStubs(): void {
  const define = (name: string, ctor: CustomElementConstructor) => customElements.get(name) ?? customElements.define(name, ctor);
  define('sp-button', class extends SpButtonStub {});
  define('sp-action-button', class extends SpButtonStub {});
  define('sp-checkbox', SpCheckboxStub);
  define('sp-slider', SpSliderStub);
  define('sp-dropdown', SpDropdownStub);
  define('sp-progressbar', SpProgressbarStub);
  define('sp-textfield', SpTextfieldStub);
}

/**
 * The key shown once and the shipper configurations: copy buttons (the Clipboard API, else the text
 * is selected for Ctrl+C) and one tab per shipper, every configuration as literal text in a <pre>.
 */
import { useRef, useState } from 'preact/hooks';
import { useI18n, type MessageKey } from '../i18n';
import { SHIPPERS, type Shipper, type ShipperConfigs } from '../types';

const SHIPPER_LABEL: Readonly<Record<Shipper, string>> = {
  vector: 'Vector', fluent_bit: 'Fluent Bit', filebeat: 'Filebeat', rsyslog: 'rsyslog', curl: 'curl',
};

function selectText(el: HTMLElement): void {
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
}

/** Copies the text of `target` (its textContent): to the clipboard when allowed, else selects it. */
export function CopyButton({ target, label, testId }: { target: () => HTMLElement | null; label: string; testId?: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'selected'>('idle');
  const copy = async () => {
    const el = target();
    if (!el) return;
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(el.textContent ?? '');
      setState('copied');
    } catch {
      selectText(el);
      setState('selected');
    }
  };
  return (
    <span class="copy">
      <button type="button" class="btn btn-small" data-testid={testId} onClick={() => void copy()}>{label}</button>
      <span class="muted small" aria-live="polite">
        {state === 'copied' ? t('onb.copied') : state === 'selected' ? t('onb.selected') : ''}
      </span>
    </span>
  );
}

/** The key, with the warning that it is shown this once. */
export function KeyOnce({ apiKey }: { apiKey: string }) {
  const { t } = useI18n();
  const ref = useRef<HTMLElement>(null);
  return (
    <div class="key-once" data-testid="key-once">
      <p class="banner banner-warn" role="alert">{t('onb.keyWarning')}</p>
      <div class="key-row">
        <code class="key-value mono" ref={ref} data-testid="api-key">{apiKey}</code>
        <CopyButton target={() => ref.current} label={t('onb.copyKey')} testId="copy-key" />
      </div>
    </div>
  );
}

/** One tab per shipper; `note` says whether the key is filled in or `<YOUR_KEY>` stands for it. */
export function ConfigTabs({ configs, note }: { configs: ShipperConfigs; note: MessageKey }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<Shipper>('vector');
  const pre = useRef<HTMLPreElement>(null);
  const move = (event: KeyboardEvent) => {
    const at = SHIPPERS.indexOf(tab);
    const next = event.key === 'ArrowRight' ? SHIPPERS[(at + 1) % SHIPPERS.length]
      : event.key === 'ArrowLeft' ? SHIPPERS[(at + SHIPPERS.length - 1) % SHIPPERS.length] : null;
    if (!next) return;
    event.preventDefault();
    setTab(next);
    document.getElementById(`shipper-tab-${next}`)?.focus();
  };
  return (
    <div class="configs" data-testid="configs">
      <p class="muted small">{t(note)}</p>
      <div class="tabs" role="tablist" aria-label={t('onb.configs')} onKeyDown={move}>
        {SHIPPERS.map((s) => (
          <button key={s} type="button" role="tab" id={`shipper-tab-${s}`} aria-selected={s === tab} aria-controls="shipper-panel"
            tabIndex={s === tab ? 0 : -1} class={s === tab ? 'tab active' : 'tab'} data-shipper={s} onClick={() => setTab(s)}>
            {SHIPPER_LABEL[s]}
          </button>
        ))}
      </div>
      <div class="tab-panel" role="tabpanel" id="shipper-panel" aria-labelledby={`shipper-tab-${tab}`}>
        <div class="tab-tools">
          <CopyButton target={() => pre.current} label={t('onb.copyConfig', { shipper: SHIPPER_LABEL[tab] })} testId="copy-config" />
        </div>
        <pre class="raw config" ref={pre} data-testid={`config-${tab}`}>{configs[tab] ?? ''}</pre>
      </div>
    </div>
  );
}

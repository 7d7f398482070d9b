/** A confirmation dialog (a real modal <dialog>): the question, what will happen, Confirm and Cancel. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n';

export function ConfirmDialog(props: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} class="confirm-dialog" data-testid="confirm-dialog" aria-labelledby="confirm-title"
      onCancel={(e) => { e.preventDefault(); props.onCancel(); }}>
      <h2 id="confirm-title">{props.title}</h2>
      <div class="confirm-body">{props.children}</div>
      <div class="confirm-actions">
        <button type="button" class="btn" onClick={props.onCancel} disabled={props.busy}>{t('onb.cancel')}</button>
        <button type="button" class={props.danger ? 'btn btn-danger' : 'btn btn-primary'} data-testid="confirm-ok"
          onClick={props.onConfirm} disabled={props.busy}>{props.confirmLabel}</button>
      </div>
    </dialog>
  );
}

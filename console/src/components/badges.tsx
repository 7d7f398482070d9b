import { tOr, useI18n } from '../i18n';
import type { IncidentStatus, Severity } from '../types';

export function SeverityBadge({ severity }: { severity: Severity }) {
  const { t } = useI18n();
  return <span class={`badge sev sev-${severity}`}>{tOr(t, `severity.${severity}`, severity)}</span>;
}

export function StatusBadge({ status }: { status: IncidentStatus }) {
  const { t } = useI18n();
  return <span class={`badge status status-${status}`}>{tOr(t, `status.${status}`, status)}</span>;
}

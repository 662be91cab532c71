// A remediation sentence whose "Log (filter: …)" and "Settings → Encoder" are links to where the
// operator acts on it. Use it wherever the UI shows a remediation.
import { Link } from '../../components/ui.tsx';
import { remediationParts } from './log-filters.ts';

export function RemediationText({ text }: { text: string }) {
  return (
    <>
      {remediationParts(text).map((part, index) =>
        'to' in part ? (
          <Link key={index} to={part.to}>
            {part.text}
          </Link>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </>
  );
}

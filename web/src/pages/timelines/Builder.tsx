// PLACEHOLDER: replaced by the page's real implementation.
import { PageHeader } from '../../components/ui.tsx';

export function Builder({ timelineId }: { timelineId: number | null }) {
  return (
    <section>
      <PageHeader title="Builder" />
      <p>Timeline {timelineId ?? 'new'}: being built.</p>
    </section>
  );
}

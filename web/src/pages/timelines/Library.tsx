// PLACEHOLDER: replaced by the page's real implementation.
import { PageHeader } from '../../components/ui.tsx';

export function Library() {
  return (
    <section>
      <PageHeader title="Library" />
      <p>Being built.</p>
    </section>
  );
}
